use std::io::IsTerminal;

// Parsing allocates millions of small AST nodes on two threads at once;
// mimalloc roughly halves the time glibc malloc spends on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The project index and fix rounds walk ASTs on this thread: give it
    // the engine's large stack so deeply nested code cannot overflow it.
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
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    onesession::run(
        std::env::args_os(),
        &console,
        &mut stdout.lock(),
        &mut stderr.lock(),
        &mut stdin.lock(),
    )
}
