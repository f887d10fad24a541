//! The progress bar of a long check pass, on standard error: only on a
//! terminal, never in CI, and only once a pass has run for a second (a
//! quick run shows nothing). It is cleared when the pass ends.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use onesession_engine::{Progress, Silent};

/// How long a pass runs before its bar appears;
/// `ONESESSION_PROGRESS_DELAY_MS` overrides it (the terminal test sets 0).
const DELAY: Duration = Duration::from_secs(1);

struct Bar {
    bar: ProgressBar,
    started: Mutex<Instant>,
    shown: AtomicBool,
    delay: Duration,
}

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.bar.set_draw_target(ProgressDrawTarget::hidden());
        self.bar.reset();
        self.bar.set_length(files as u64);
        self.shown.store(false, Ordering::Relaxed);
        if let Ok(mut started) = self.started.lock() {
            *started = Instant::now();
        }
    }

    fn advance(&self) {
        self.bar.inc(1);
        let due = self
            .started
            .lock()
            .is_ok_and(|started| started.elapsed() >= self.delay);
        if due && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            // Drawn now, not at the next file.
            self.bar.tick();
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar when standard error is a terminal outside CI, else nothing.
pub fn on_stderr() -> Arc<dyn Progress> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    if !std::io::stderr().is_terminal() || ci || dumb {
        return Arc::new(Silent);
    }
    let delay = std::env::var("ONESESSION_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(DELAY, Duration::from_millis);
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} checking {pos}/{len} files {wide_bar} {eta}")
    {
        bar.set_style(style);
    }
    Arc::new(Bar {
        bar,
        started: Mutex::new(Instant::now()),
        shown: AtomicBool::new(false),
        delay,
    })
}
