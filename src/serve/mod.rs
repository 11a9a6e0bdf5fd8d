//! `dossier serve` (SPEC §10): the clerk's desk, a local web page over a department folder.
//!
//! The server binds 127.0.0.1 only, prints `http://127.0.0.1:PORT/?token=TOKEN` as the first
//! line of stdout, opens the browser unless told not to, and stops cleanly on Ctrl-C/SIGTERM.
//! Every request passes [`security::admit`] first. Checks, scores and bundles come from the
//! same library code as the commands ([`desk`]); this module only maps them to HTTP.
//!
//! Invariants: nothing outside DIR is read or written (every name in a request is checked by
//! [`names`] and then looked up in the tree); a malformed or escaping name is a 4xx, never a
//! 5xx; an upload is saved only when its content is a PDF/JPEG/PNG within the size limit, and
//! never over another file.

mod api;
pub mod desk;
pub mod names;
pub mod security;
pub mod thumbs;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use crate::department::Context;
use crate::error::Error;

/// What `dossier serve` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    /// 0: a free port.
    pub port: u16,
    pub open: bool,
    /// The language of what is said on the terminal (the page itself is in Chinese).
    pub lang: crate::messages::Lang,
}

/// The server's shared state.
pub struct App {
    pub desk: desk::Desk,
    pub token: String,
    pub port: u16,
    pub thumbs: thumbs::Thumbs,
    /// Scans larger than this are refused (the rulebook's limit).
    pub max_upload: u64,
    /// Whether `dossier copies` exists in this build (the page offers the copies PDF then).
    pub copies: bool,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(ctx: Context, opts: Options) -> Result<(), Error> {
    let max_upload = ctx.book.limits.max_file_bytes;
    let desk = desk::Desk::new(&opts.dir, ctx)?;
    let token = security::new_token().map_err(|e| Error::Other(e.into()))?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", opts.port)).map_err(|e| {
        let port = opts.port;
        Error::Usage(crate::t!(
            "无法监听 127.0.0.1:{port}（{e}），端口被占用：换一个 --port，或不给 --port 由系统选一个空闲端口",
            "cannot listen on 127.0.0.1:{port} ({e}): choose another --port, or leave it out for a free one"
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Other(format!("listen: {e}").into()))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::Other(format!("listen: {e}").into()))?
        .port();
    let url = format!("http://127.0.0.1:{port}/?token={token}");
    let app = Arc::new(App {
        desk,
        token,
        port,
        thumbs: thumbs::Thumbs::default(),
        max_upload,
        copies: api::COPIES,
    });
    // The address first, alone on its line: scripts read it.
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{url}");
        let _ = out.flush();
    }
    let zh = opts.lang == crate::messages::Lang::Zh;
    let dir = app.desk.dir.display();
    match (zh, app.desk.single) {
        (true, true) => eprintln!("dossier serve: {dir}（一名员工）— 在浏览器中打开上面的地址；按 Ctrl-C 停止"),
        (true, false) => eprintln!("dossier serve: {dir}（部门）— 在浏览器中打开上面的地址；按 Ctrl-C 停止"),
        (false, true) => eprintln!("dossier serve: {dir} (one employee) — open the address above in a browser; Ctrl-C stops"),
        (false, false) => eprintln!("dossier serve: {dir} (department) — open the address above in a browser; Ctrl-C stops"),
    }
    if opts.open {
        if let Err(e) = webbrowser::open(&url) {
            if zh {
                eprintln!("dossier serve: 无法打开浏览器（{e}），请手动打开上面的地址");
            } else {
                eprintln!(
                    "dossier serve: could not open a browser ({e}): open the address above by hand"
                );
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("runtime: {e}").into()))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::Other(format!("listen: {e}").into()))?;
        axum::serve(listener, api::router(app))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Error::Other(format!("server: {e}").into()))
    })?;
    eprintln!("dossier serve: {}", if zh { "已停止" } else { "stopped" });
    Ok(())
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
