//! Atomic writes: a temporary file in the same directory, renamed over the
//! original; permissions and a UTF-8 BOM kept; refused when the file on
//! disk is no longer what was read, or is read-only.

use std::fs;
use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("changed on disk since it was read; not written (run again)")]
    Changed,
    #[error("file is read-only; not written")]
    ReadOnly,
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
}

/// The bytes a file holds on disk for `text`: the UTF-8 BOM, when it had
/// one, and the text.
pub fn disk_bytes(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// `path` still holds `original` (as bytes on disk, BOM included) and may
/// be replaced: asked of every file before any is written, so a fix that
/// spans files is written whole or not at all.
pub fn check_writable(path: &Path, original: &[u8]) -> Result<fs::Metadata, WriteError> {
    let current = fs::read(path)?;
    if current != original {
        return Err(WriteError::Changed);
    }
    let metadata = fs::metadata(path)?;
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    Ok(metadata)
}

/// Replaces `path`, whose content was `original` (as bytes on disk, BOM
/// included), with `bom` + `text`.
pub fn write_atomically(
    path: &Path,
    original: &[u8],
    text: &str,
    bom: bool,
) -> Result<(), WriteError> {
    let metadata = check_writable(path, original)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".onesession-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    if bom {
        temp.write_all(b"\xEF\xBB\xBF")?;
    }
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), metadata.permissions())?;
    temp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_keeping_bom_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, b"\xEF\xBB\xBFa = 1\r\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, b"\xEF\xBB\xBFa = 1\r\n", "a = 2\r\n", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"\xEF\xBB\xBFa = 2\r\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn refuses_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a = 1\n").unwrap();
        let err = write_atomically(&path, b"a = 0\n", "a = 2\n", false).unwrap_err();
        assert!(matches!(err, WriteError::Changed));
        assert_eq!(fs::read_to_string(&path).unwrap(), "a = 1\n");
    }

    #[test]
    fn refuses_a_read_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.py");
        fs::write(&path, "a = 1\n").unwrap();
        let mut permissions = fs::metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&path, permissions).unwrap();
        let err = write_atomically(&path, b"a = 1\n", "a = 2\n", false).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly));
        assert_eq!(fs::read_to_string(&path).unwrap(), "a = 1\n");
    }
}
