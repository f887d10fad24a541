//! The terminal prompter: single keys read with dialoguer's console,
//! `$EDITOR` through dialoguer's editor.

use dialoguer::console::{Key, Term};
use onesession_review::interactive::{Answer, Interrupted, Prompter};

pub struct TerminalPrompter {
    term: Term,
}

impl TerminalPrompter {
    pub fn new() -> Self {
        Self {
            term: Term::stderr(),
        }
    }
}

impl Prompter for TerminalPrompter {
    fn ask(&mut self, question: &str) -> Result<Answer, Interrupted> {
        loop {
            let _ = self.term.write_str(&format!("{question} "));
            // `read_key_raw`: Ctrl-C comes back as a key, where `read_key`
            // raises SIGINT and the process dies with the accepted changes
            // unwritten.
            let key = self.term.read_key_raw().map_err(|_| Interrupted)?;
            let _ = self.term.write_line("");
            match key {
                Key::Char(c) => {
                    if let Some(answer) = Answer::from_key(c) {
                        return Ok(answer);
                    }
                    // Ctrl-C and Ctrl-D arrive as control characters in raw mode.
                    if c == '\u{3}' || c == '\u{4}' {
                        return Err(Interrupted);
                    }
                }
                Key::Escape | Key::CtrlC => return Err(Interrupted),
                _ => {}
            }
            let _ = self.term.write_line("  unknown key; ? for help");
        }
    }

    fn edit(&mut self, path: &str, proposed: &str) -> Result<Option<String>, Interrupted> {
        let extension = std::path::Path::new(path)
            .extension()
            .map_or(".py".to_owned(), |e| format!(".{}", e.to_string_lossy()));
        match dialoguer::Editor::new()
            .extension(&extension)
            .edit(proposed)
        {
            Ok(Some(text)) if text != proposed => Ok(Some(text)),
            Ok(_) => Ok(None),
            Err(_) => Ok(None),
        }
    }
}
