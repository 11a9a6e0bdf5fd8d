//! `dossier.exe` started from Explorer rather than typed in a terminal (SPEC §13).
//!
//! - No arguments (a double-click): `serve` on the current folder, the browser opened (the
//!   clerk's desk, SPEC §10); if it cannot start, its message stays until Enter.
//! - One existing folder and nothing else (a folder dropped onto the icon): `check` it, print
//!   the findings and the summary, and wait for Enter before the console window closes.
//! - Anything else: the command line as usual ([`crate::cli::main`]).
//!
//! Waiting for Enter happens only when the window would otherwise vanish: on Windows when this
//! process is the only one attached to its console (Explorer made the console for it), elsewhere
//! when stdin is a terminal. With stdin closed or a pipe it never waits, and end of input stops
//! the wait. On Windows the console's output code page is UTF-8 while dossier runs, so Chinese
//! shows in the classic console, and is put back as it was afterwards.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::commands::ExitStatus;

/// How the program was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// No arguments at all.
    DoubleClick,
    /// Exactly one argument, an existing folder that is not also a command's name.
    Dropped(PathBuf),
    /// A command line.
    CommandLine,
}

/// Decides from the arguments (without the program name) how the program was started.
pub fn launch(args: &[OsString]) -> Launch {
    match args {
        [] => Launch::DoubleClick,
        [one] if !is_command_word(one) && std::path::Path::new(one).is_dir() => {
            Launch::Dropped(PathBuf::from(one))
        }
        _ => Launch::CommandLine,
    }
}

/// A word the command line gives a meaning of its own (`rules`, `help`, an option): a folder of
/// that name in the current folder does not change what `dossier rules` does.
fn is_command_word(arg: &OsStr) -> bool {
    let Some(s) = arg.to_str() else {
        return false;
    };
    if s.starts_with('-') {
        return true;
    }
    let cmd = Cli::command();
    s == "help"
        || cmd
            .get_subcommands()
            .any(|c| c.get_name() == s || c.get_all_aliases().any(|a| a == s))
}

/// The whole program: the launch mode, the console set up for Chinese, the exit code.
pub fn main() -> ExitStatus {
    let _console = console::Utf8Output::set();
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match launch(&args) {
        Launch::CommandLine => crate::cli::main(),
        Launch::Dropped(dir) => {
            let check = [
                OsString::from("dossier"),
                "check".into(),
                dir.into_os_string(),
            ];
            let code = crate::cli::main_from(check);
            pause_if_window_would_close();
            code
        }
        Launch::DoubleClick => {
            let status = crate::cli::main_from(["dossier", "serve", "."]);
            pause_if_window_would_close();
            status
        }
    }
}

/// Waits for Enter when the console window would close with the program (see the module).
fn pause_if_window_would_close() {
    if console::owned_window() {
        let stdin = std::io::stdin();
        let lang = crate::messages::Lang::from_env();
        wait_for_enter(lang, &mut stdin.lock(), &mut std::io::stdout());
    }
}

/// Prints the prompt and reads one line; returns at Enter, at end of input or on an error.
pub fn wait_for_enter(lang: crate::messages::Lang, input: &mut impl BufRead, out: &mut impl Write) {
    let prompt = crate::t!("按回车键关闭窗口 …", "Press Enter to close the window …");
    let _ = write!(out, "\n{}", prompt.get(lang));
    let _ = out.flush();
    let mut line = String::new();
    let _ = input.read_line(&mut line);
}

mod console {
    /// Whether the console window goes away with this process, so output must be waited on.
    #[cfg(windows)]
    pub fn owned_window() -> bool {
        use windows_sys::Win32::System::Console::GetConsoleProcessList;
        let mut ids = [0u32; 4];
        // SAFETY: the buffer holds 4 ids, as passed; the call only writes into it.
        let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
        n == 1
    }

    #[cfg(not(windows))]
    pub fn owned_window() -> bool {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal()
    }

    /// The console's output code page set to UTF-8 (65001) while alive; the old one back after.
    pub struct Utf8Output {
        #[cfg(windows)]
        old: u32,
    }

    impl Utf8Output {
        #[cfg(windows)]
        pub fn set() -> Utf8Output {
            use windows_sys::Win32::System::Console::{GetConsoleOutputCP, SetConsoleOutputCP};
            // SAFETY: plain calls without pointers; they fail harmlessly without a console.
            let old = unsafe { GetConsoleOutputCP() };
            if old != 0 && old != 65001 {
                unsafe { SetConsoleOutputCP(65001) };
            }
            Utf8Output { old }
        }

        #[cfg(not(windows))]
        pub fn set() -> Utf8Output {
            Utf8Output {}
        }
    }

    #[cfg(windows)]
    impl Drop for Utf8Output {
        fn drop(&mut self) {
            if self.old != 0 && self.old != 65001 {
                // SAFETY: as in `set`.
                unsafe { windows_sys::Win32::System::Console::SetConsoleOutputCP(self.old) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Lang;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn launch_modes() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("张 伟");
        std::fs::create_dir(&dir).unwrap();
        let file = d.path().join("a.txt");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(launch(&[]), Launch::DoubleClick);
        assert_eq!(
            launch(&[dir.clone().into_os_string()]),
            Launch::Dropped(dir.clone())
        );
        // A file, a missing folder, a folder with anything else: the command line.
        assert_eq!(launch(&[file.into_os_string()]), Launch::CommandLine);
        assert_eq!(
            launch(&[d.path().join("missing").into_os_string()]),
            Launch::CommandLine
        );
        assert_eq!(
            launch(&[OsString::from("check"), dir.clone().into_os_string()]),
            Launch::CommandLine
        );
        assert_eq!(launch(&os(&["--version"])), Launch::CommandLine);
    }

    #[test]
    fn a_folder_named_like_a_command_is_the_command() {
        // `dossier rules` in a folder holding rules/ (the repository) prints the rulebook.
        assert!(is_command_word(OsStr::new("rules")));
        assert!(is_command_word(OsStr::new("check")));
        assert!(is_command_word(OsStr::new("help")));
        assert!(!is_command_word(OsStr::new("张伟")));
        assert!(
            std::path::Path::new("rules").is_dir(),
            "cargo test runs in the package root, which holds rules/"
        );
        assert_eq!(launch(&os(&["rules"])), Launch::CommandLine);
    }

    #[test]
    fn the_wait_ends_at_enter_or_end_of_input() {
        let mut out = Vec::new();
        let mut input = std::io::Cursor::new(b"\nrest".to_vec());
        wait_for_enter(Lang::Zh, &mut input, &mut out);
        assert_eq!(input.position(), 1, "reads exactly one line");
        assert!(String::from_utf8(out).unwrap().contains("按回车键"));
        let mut empty = std::io::Cursor::new(Vec::new());
        let mut out = Vec::new();
        wait_for_enter(Lang::En, &mut empty, &mut out);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("Press Enter") && !out.contains("按"), "{out}");
    }
}
