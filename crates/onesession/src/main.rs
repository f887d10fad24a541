use std::io::IsTerminal;
use std::process::ExitCode;

// Parsing allocates millions of small AST nodes on two threads at once;
// mimalloc takes about a fifth less time than glibc malloc on them
// (db-heavy corpus, 5.7 s against 7.0 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3); the Rust bindings do not
/// name it. A test checks the number against the option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the peak memory of a check over a large tree near what it holds
/// (mixed corpus: ~105 MB untuned, ~55 MB without huge pages, ~47 MB with
/// both, near glibc malloc's ~43 MB), at no cost in time.
fn tune_allocator() {
    // mimalloc asks for transparent huge pages, so every 2 MiB region
    // touched is resident whole. A failure (an old kernel) only costs
    // memory.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // Freed memory goes back to the OS at once instead of after a
    // second: a whole check can take less than that.
    // SAFETY: an option setter; no other thread runs yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    tune_allocator();
    std::thread::Builder::new()
        .name("onesession".into())
        .stack_size(onesession_engine::project::STACK_SIZE)
        .spawn(run)
        .and_then(|thread| {
            thread
                .join()
                .map_err(|_| std::io::Error::other("onesession panicked"))
        })
        .unwrap_or(ExitCode::from(onesession::EXIT_ERROR))
}

fn run() -> ExitCode {
    let console = onesession::Console {
        color: std::io::stdout().is_terminal(),
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let stdout = std::io::stdout();
    let stdin = std::io::stdin();
    // Standard error is not held locked: the progress bar draws on it from
    // the checking threads.
    onesession::run(
        std::env::args_os(),
        &console,
        &mut stdout.lock(),
        &mut std::io::stderr(),
        &mut stdin.lock(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_number_names_the_purge_delay() {
        // The test binary does not tune the allocator: the default of
        // mimalloc's options.c (1000 ms) must come back.
        // SAFETY: an option getter.
        let purge_delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(purge_delay, 1000);
    }
}
