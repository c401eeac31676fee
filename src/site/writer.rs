//! Writing the site's files on a thread of their own, so that making the
//! pages never waits for the file system: creating 100,000 files on a
//! nearly full ext4 took from 10 s to 77 s of system time from one minute
//! to the next on the development machine, which made the exporter as slow
//! as the disk when the pages were written by the threads that render them.
//! The queue is bounded (a few batches), so memory holds a few batches of
//! pages, not the site.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use super::output::OutputError;

/// Batches waiting to be written before a sender waits.
const QUEUE: usize = 2;

/// Threads writing: two, so that one file that waits for the disk does not
/// hold up every other (one thread alone was twice as slow as the
/// renderers writing on the nearly full ext4). A path always goes to the
/// same thread, so a page written twice in one export ends as written
/// last.
const WRITERS: usize = 2;

type Batch = Vec<(PathBuf, Vec<u8>)>;

pub(super) struct Writer {
    queues: Vec<SyncSender<Batch>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// The first write that failed; the others after it are not tried.
    failed: Arc<Mutex<Option<OutputError>>>,
}

impl Writer {
    pub(super) fn start() -> Writer {
        let failed: Arc<Mutex<Option<OutputError>>> = Arc::default();
        let mut queues = Vec::new();
        let mut threads = Vec::new();
        for _ in 0..WRITERS {
            let (queue, batches) = sync_channel::<Batch>(QUEUE);
            let failure = Arc::clone(&failed);
            let thread = std::thread::Builder::new()
                .name("git-issue-write".to_owned())
                .spawn(move || {
                    for batch in batches {
                        for (path, bytes) in batch {
                            if failure.lock().map_or(true, |f| f.is_some()) {
                                break;
                            }
                            if let Err(e) = write_atomically(&path, &bytes)
                                && let Ok(mut f) = failure.lock()
                                && f.is_none()
                            {
                                *f = Some(e);
                            }
                        }
                    }
                });
            // Without threads, files are written by the caller.
            let Ok(thread) = thread else {
                break;
            };
            queues.push(queue);
            threads.push(thread);
        }
        Writer {
            queues,
            threads,
            failed,
        }
    }

    /// A write that failed, taken: the export stops with it.
    fn failure(&self) -> Result<(), OutputError> {
        match self.failed.lock().ok().and_then(|mut f| f.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Writes `files` (full paths, bytes), each atomically, after those
    /// given before; returns a write of before that failed.
    pub(super) fn write(&self, files: Batch) -> Result<(), OutputError> {
        self.failure()?;
        if files.is_empty() {
            return Ok(());
        }
        if self.queues.is_empty() {
            for (path, bytes) in files {
                write_atomically(&path, &bytes)?;
            }
            return Ok(());
        }
        let mut parts: Vec<Batch> = vec![Vec::new(); self.queues.len()];
        for (path, bytes) in files {
            let h = xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_encoded_bytes());
            parts[h as usize % self.queues.len()].push((path, bytes));
        }
        for (queue, part) in self.queues.iter().zip(parts) {
            if part.is_empty() {
                continue;
            }
            // A thread that is gone panicked: its files are written here.
            if let Err(e) = queue.send(part) {
                for (path, bytes) in e.0 {
                    write_atomically(&path, &bytes)?;
                }
            }
        }
        Ok(())
    }

    /// Waits until every file given is written.
    pub(super) fn finish(&mut self) -> Result<(), OutputError> {
        self.queues.clear();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        self.failure()
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Readers of the site never see half a file: write a temporary file beside
/// it, created exclusively under a random name (a link planted under a
/// guessable name cannot redirect the write), then rename it over the file
/// (which replaces a link rather than writing through it).
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".git-issue-");
    // A published file is readable as any file the user makes (0666 less
    // the umask), not only by its owner as a temporary file is: a web
    // server running as another user refused pages of mode 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(tmp.path()))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_in_the_order_given_and_a_failure_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::start();
        let at = dir.path().join("a.html");
        w.write(vec![(at.clone(), b"one".to_vec())]).unwrap();
        w.write(vec![(at.clone(), b"two".to_vec())]).unwrap();
        w.finish().unwrap();
        assert_eq!(std::fs::read(&at).unwrap(), b"two");

        let mut w = Writer::start();
        let nowhere = dir.path().join("no-such-folder").join("b.html");
        // Queued now, told when the writer is waited for at the latest.
        let queued = w.write(vec![(nowhere.clone(), b"x".to_vec())]);
        let finished = w.finish();
        assert!(queued.is_err() || finished.is_err(), "the failure is lost");
        assert!(!nowhere.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_has_the_mode_of_any_file_the_user_makes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("index.html");
        write_atomically(&page, b"<p>hi</p>").unwrap();
        let plain = dir.path().join("plain.html");
        std::fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // 0644 under the usual umask; it was 0600.
        assert_eq!(mode(&page), mode(&plain));
    }
}
