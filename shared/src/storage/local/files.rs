//! Durable file writes: temporary file, fsync, rename or link.

#[allow(unused_imports)]
use super::*;

/// A temporary file name next to `target`, unique across processes (pid) and
/// within one (counter), and hidden from `list` by its leading `.`.
pub(super) fn temp_path_for(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.{n}.{nanos}.tmp", std::process::id()))
}

/// Makes a directory's entries (a rename, link or unlink) durable.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Creates `dir` (under `root`) and its missing parents, fsyncing each new
/// directory's parent so the directory itself survives a crash.
pub(super) fn ensure_dir(root: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if !root.is_dir() {
        fs::create_dir_all(root)?;
        if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    let rel = dir.strip_prefix(root).unwrap_or(Path::new(""));
    let mut current = root.to_path_buf();
    for component in rel.components() {
        let parent = current.clone();
        current.push(component);
        match fs::create_dir(&current) {
            Ok(()) => sync_dir(&parent)?,
            // Another writer created it at the same moment: fine.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes `body` to a new temporary file next to `target` and fsyncs it.
pub(super) fn write_temp(target: &Path, body: &[u8]) -> io::Result<PathBuf> {
    let tmp = temp_path_for(target);
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(body)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Moves a complete, fsynced temporary file into place, replacing any object.
pub(super) fn commit_replace(tmp: &Path, target: &Path) -> io::Result<()> {
    if let Err(e) = fs::rename(tmp, target) {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    sync_dir(parent_of(target))
}

/// Links a complete, fsynced temporary file into place only if nothing is
/// there. `link(2)` never replaces its target, so exactly one of several
/// racing writers (in any process) wins. Returns whether this one did.
pub(super) fn commit_if_absent(tmp: &Path, target: &Path) -> io::Result<bool> {
    let linked = fs::hard_link(tmp, target);
    // The temporary name goes either way; the object (if linked) stays.
    let removed = fs::remove_file(tmp);
    match linked {
        Ok(()) => {
            removed?;
            sync_dir(parent_of(target))?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// A temporary file that is removed when dropped, unless kept.
pub(super) struct TempFile(pub(super) Option<PathBuf>);

impl TempFile {
    pub(super) fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// Hands the path over to the caller, which now owns the file.
    pub(super) fn keep(mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // One unlink; cheap enough to do synchronously even on a worker.
            let _ = fs::remove_file(path);
        }
    }
}
