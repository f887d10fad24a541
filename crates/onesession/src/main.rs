use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
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
