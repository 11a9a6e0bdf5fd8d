//! What differs between Linux and Windows for the files dossier writes: outputs readable only by
//! their owner (a 0600/0700 mode on Unix, a protected owner-only ACL on Windows), and the file
//! names Windows cannot use (CON, NUL, COM1 … with or without an extension).
//!
//! Long paths need nothing here: the standard library turns a long Windows path into a `\\?\`
//! path itself, and every file this crate opens goes through it.

use std::fs::File;
use std::io;
use std::path::Path;

/// Restricts a file dossier just created (and has not written anything into yet) to its owner:
/// mode 0600 on Unix; on Windows a protected DACL (not inherited from the folder) that lets in
/// only the current user, SYSTEM and the Administrators group — what a file in the user's own
/// profile gets. On a Windows volume without ACLs (FAT32, exFAT: most USB sticks) there is
/// nothing to restrict and it succeeds; see docs/security.md, "Windows".
pub fn restrict_file(file: &File, path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = path;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(windows)]
    {
        let _ = file;
        acl::owner_only(path, false)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, path);
        Ok(())
    }
}

/// Creates `dir` (and its missing parents) readable only by its owner: mode 0700 on Unix, the
/// owner-only ACL on Windows. A folder that already exists is left as it is: its permissions
/// are the clerk's.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    let existed = dir.is_dir();
    b.create(dir)?;
    if existed {
        return Ok(());
    }
    restrict_new_dir(dir)
}

/// Restricts a folder dossier just created to its owner: mode 0700 on Unix (given at creation
/// by the callers' `DirBuilder`, so this does nothing there); on Windows the owner-only ACL of
/// [`restrict_file`], inherited by everything later created inside.
pub fn restrict_new_dir(path: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        acl::owner_only(path, true)
    }
    #[cfg(not(windows))]
    {
        let _ = path;
        Ok(())
    }
}

/// The device names Windows reserves in every folder (compared without case).
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM1", "COM2", "COM3", "COM4", "COM5",
    "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5",
    "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Whether Windows would take the file name `name` (one path component) for a device: its part
/// before the first `.`, without trailing spaces, is CON, PRN, AUX, NUL, COM1–9 or LPT1–9 in
/// any case (`nul`, `Com1.pdf`, `CON .zip` all are).
pub fn is_reserved_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or("").trim_end_matches(' ');
    let upper = base.to_uppercase();
    RESERVED.iter().any(|r| *r == upper)
}

/// `name` altered so Windows can create it: a reserved device name gets `_` after its base
/// (`CON.zip` → `CON_.zip`, `nul` → `nul_`); trailing dots and spaces, which Windows silently
/// drops (so `a.` and `a` would be one file), become `_`. Any other name is returned as it is.
pub fn windows_file_name(name: &str) -> String {
    let trimmed = name.trim_end_matches(['.', ' ']);
    let mut out = if trimmed.len() < name.len() {
        format!("{trimmed}{}", "_".repeat(name.len() - trimmed.len()))
    } else {
        name.to_string()
    };
    if is_reserved_name(&out) {
        let cut = out.find('.').unwrap_or(out.len());
        let base_end = out[..cut].trim_end_matches(' ').len();
        out.insert(base_end, '_');
    }
    out
}

/// Why Windows cannot use `name` as a folder or file name, if it cannot (for names the user
/// chose, which are refused rather than altered).
pub fn windows_name_problem(name: &str) -> Option<crate::messages::Text> {
    if is_reserved_name(name) {
        return Some(crate::t!(
            "“{name}”是 Windows 保留名（如 CON、NUL、COM1）：请换一个名字",
            "“{name}” is a device name on Windows (CON, NUL, COM1 …): choose another name"
        ));
    }
    if name != "." && name != ".." && name.ends_with(['.', ' ']) {
        return Some(crate::t!(
            "“{name}”以点或空格结尾，Windows 会去掉它：请换一个名字",
            "“{name}” ends with a dot or a space, which Windows drops: choose another name"
        ));
    }
    None
}

#[cfg(windows)]
mod acl {
    use std::io;
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;
    use std::ptr::null_mut;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::Security::Authorization::{SetSecurityInfo, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{
        AddAccessAllowedAceEx, CreateWellKnownSid, GetLengthSid, GetTokenInformation,
        InitializeAcl, TokenUser, WinBuiltinAdministratorsSid, WinLocalSystemSid,
        ACCESS_ALLOWED_ACE, ACL, ACL_REVISION, CONTAINER_INHERIT_ACE, DACL_SECURITY_INFORMATION,
        OBJECT_INHERIT_ACE, PROTECTED_DACL_SECURITY_INFORMATION, SECURITY_MAX_SID_SIZE,
        TOKEN_QUERY, TOKEN_USER,
    };
    use windows_sys::Win32::Storage::FileSystem::{
        GetVolumeInformationByHandleW, FILE_ALL_ACCESS, FILE_FLAG_BACKUP_SEMANTICS, READ_CONTROL,
        WRITE_DAC,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    /// `FILE_PERSISTENT_ACLS` (winnt.h): the volume keeps ACLs (NTFS, ReFS; not FAT or exFAT).
    const FILE_PERSISTENT_ACLS: u32 = 0x8;

    /// The current user's SID, as the bytes of its `TOKEN_USER` buffer (8-byte aligned).
    fn user_token() -> io::Result<Vec<u64>> {
        // SAFETY: plain Win32 calls with out-pointers to locals and a buffer of the size the
        // first call asks for; the token handle is closed on every path.
        unsafe {
            let mut token: HANDLE = null_mut();
            if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
                return Err(io::Error::last_os_error());
            }
            let mut len = 0u32;
            GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len);
            let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
            let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len);
            let err = io::Error::last_os_error();
            CloseHandle(token);
            if ok == 0 {
                return Err(err);
            }
            Ok(buf)
        }
    }

    fn well_known(kind: i32) -> io::Result<Vec<u64>> {
        let mut buf = vec![0u64; (SECURITY_MAX_SID_SIZE as usize).div_ceil(8)];
        let mut size = SECURITY_MAX_SID_SIZE;
        // SAFETY: the buffer holds SECURITY_MAX_SID_SIZE bytes, as `size` says.
        if unsafe { CreateWellKnownSid(kind, null_mut(), buf.as_mut_ptr().cast(), &mut size) } == 0
        {
            return Err(io::Error::last_os_error());
        }
        Ok(buf)
    }

    /// Replaces the DACL of `path` by a protected one granting full access to the current
    /// user, SYSTEM and Administrators only (inherited by children when `dir`).
    pub fn owner_only(path: &Path, dir: bool) -> io::Result<()> {
        let f = std::fs::OpenOptions::new()
            .access_mode(READ_CONTROL | WRITE_DAC)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)?;
        let handle = f.as_raw_handle() as HANDLE;
        let mut flags = 0u32;
        // SAFETY: a valid handle; no name buffers are asked for.
        let got = unsafe {
            GetVolumeInformationByHandleW(
                handle,
                null_mut(),
                0,
                null_mut(),
                null_mut(),
                &mut flags,
                null_mut(),
                0,
            )
        };
        if got != 0 && flags & FILE_PERSISTENT_ACLS == 0 {
            return Ok(()); // FAT32, exFAT: no ACLs to set.
        }
        let user = user_token()?;
        let system = well_known(WinLocalSystemSid)?;
        let admins = well_known(WinBuiltinAdministratorsSid)?;
        // SAFETY: `user` holds a TOKEN_USER written by GetTokenInformation, whose SID pointer
        // points into the same buffer; the ACL buffer is sized for the three ACEs; every
        // pointer outlives the calls.
        unsafe {
            let user_sid = (*(user.as_ptr() as *const TOKEN_USER)).User.Sid;
            let sids = [
                user_sid,
                system.as_ptr() as *mut _,
                admins.as_ptr() as *mut _,
            ];
            let mut size = std::mem::size_of::<ACL>();
            for sid in sids {
                size += std::mem::size_of::<ACCESS_ALLOWED_ACE>() - 4 + GetLengthSid(sid) as usize;
            }
            let mut acl = vec![0u64; size.div_ceil(8)];
            let acl_ptr = acl.as_mut_ptr() as *mut ACL;
            if InitializeAcl(acl_ptr, (acl.len() * 8) as u32, ACL_REVISION) == 0 {
                return Err(io::Error::last_os_error());
            }
            let inherit = if dir {
                OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
            } else {
                0
            };
            for sid in sids {
                if AddAccessAllowedAceEx(acl_ptr, ACL_REVISION, inherit, FILE_ALL_ACCESS, sid) == 0
                {
                    return Err(io::Error::last_os_error());
                }
            }
            let rc = SetSecurityInfo(
                handle,
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                null_mut(),
                null_mut(),
                acl_ptr,
                null_mut(),
            );
            if rc != 0 {
                return Err(io::Error::from_raw_os_error(rc as i32));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_recognised_with_and_without_extension() {
        for n in [
            "CON",
            "con",
            "Nul",
            "NUL.zip",
            "com1.pdf",
            "LPT9",
            "aux.tar.gz",
            "CON .zip",
            "PRN",
            "COM¹",
        ] {
            assert!(is_reserved_name(n), "{n}");
        }
        for n in [
            "CONSOLE",
            "张伟-1230.zip",
            "NUL-1230.zip",
            "com10",
            "LPT0x",
            "01-CON.pdf",
            "xCON",
        ] {
            assert!(!is_reserved_name(n), "{n}");
        }
    }

    #[test]
    fn reserved_names_are_altered_and_others_kept() {
        assert_eq!(windows_file_name("CON"), "CON_");
        assert_eq!(windows_file_name("nul.zip"), "nul_.zip");
        assert_eq!(windows_file_name("COM1.-1230.zip"), "COM1_.-1230.zip");
        assert_eq!(windows_file_name("CON .zip"), "CON_ .zip");
        assert_eq!(windows_file_name("张伟."), "张伟_");
        assert_eq!(windows_file_name("张伟-1230.zip"), "张伟-1230.zip");
        assert_eq!(
            windows_file_name("01-身份证-正面.png"),
            "01-身份证-正面.png"
        );
        for n in ["CON", "nul.zip", "aux.tar.gz", "LPT3", "a.", "b  "] {
            let altered = windows_file_name(n);
            assert!(!is_reserved_name(&altered), "{n} → {altered}");
            assert!(!altered.ends_with(['.', ' ']), "{n} → {altered}");
        }
    }

    #[test]
    fn names_windows_cannot_use_are_explained() {
        assert!(windows_name_problem("CON").unwrap().en.contains("CON"));
        assert!(windows_name_problem("nul.txt").is_some());
        assert!(windows_name_problem("张伟 ").is_some());
        assert!(windows_name_problem("张伟").is_none());
        assert!(windows_name_problem(".").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn restricted_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x");
        let f = File::create(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_file(&f, &p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
