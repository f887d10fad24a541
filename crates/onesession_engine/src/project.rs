//! The project: its files (read, prefiltered, parsed in parallel), the
//! index cross-file rules need, and the canonical names every rule
//! compares against.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use onesession_python::{
    parse_module, parse_module_skipping, ParsedModule, Relevance, SemanticModel, SyntaxError,
};
use onesession_text::{FileId, LineIndex};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::discover::{discover, relative_to, WalkProblem};
use crate::error::EngineError;
pub use crate::model::{Canon, CanonicalOrigin};
use crate::names::{is_one_of, RAW_CONNECTS, SESSION_CLASSES};
use crate::reach::{ModuleSet, Scan, Scanner};
use crate::settings::{Layer, Layers, Settings};
use crate::summary::summarize;
pub use crate::summary::{
    params_of, ClassInfo, FunctionKind, FunctionSig, ModuleSummary, Param, ParamKind,
};

/// Shared by every file that is not a parsed module.
static EMPTY_SUMMARY: LazyLock<Arc<ModuleSummary>> = LazyLock::new(Arc::default);

/// Source text as read, with what must be restored when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text without a UTF-8 byte-order mark.
    pub text: String,
    pub bom: bool,
}

/// Why a file could not be read as Python source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    Io(String),
    Utf16,
    NotUtf8 { offset: usize },
    NulByte { offset: usize },
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::Io(message) => write!(f, "cannot read file: {message}"),
            ReadProblem::Utf16 => f.write_str("file is UTF-16; onesession reads UTF-8 only: convert it (e.g. `iconv -f UTF-16 -t UTF-8`)"),
            ReadProblem::NotUtf8 { offset } => {
                write!(f, "file is not valid UTF-8 (byte {offset}); onesession reads UTF-8 only")
            }
            ReadProblem::NulByte { offset } => {
                write!(f, "file contains a NUL byte (byte {offset}); Python rejects it too")
            }
        }
    }
}

/// Decodes file bytes as Python source.
pub fn decode_source(bytes: Vec<u8>) -> Result<SourceText, ReadProblem> {
    let bom = check_source(&bytes)?.len() < bytes.len();
    let mut bytes = bytes;
    if bom {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceText { text, bom }),
        // `check_source` validated the bytes.
        Err(e) => Err(ReadProblem::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

/// Checks that file bytes are Python source `decode_source` accepts, without
/// copying them, and returns the text after any UTF-8 byte-order mark.
fn check_source(bytes: &[u8]) -> Result<&str, ReadProblem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadProblem::Utf16);
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let skip = if bom { 3 } else { 0 };
    if let Some(offset) = memchr::memchr(0, bytes) {
        return Err(ReadProblem::NulByte { offset });
    }
    // simdutf8 validates several times faster than std; its `compat`
    // flavour still says where the first bad byte is.
    match simdutf8::compat::from_utf8(&bytes[skip..]) {
        Ok(text) => Ok(text),
        Err(e) => Err(ReadProblem::NotUtf8 {
            offset: e.valid_up_to() + skip,
        }),
    }
}

/// Reads a file into a reused per-thread buffer and returns its [`Scan`]
/// and, when `hash` asks for it, the content hash or, when the bytes are
/// not Python source, why: the text itself is read again only when it is
/// needed (a cache hit needs the text of the files it reports on, not of
/// the tree).
fn read_file(
    path: &Path,
    hash: bool,
    scan: impl FnOnce(&str) -> Scan,
) -> Result<(Option<u64>, Scan), ReadProblem> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        // Through `take`, which hides the file's size: `File::read_to_end`
        // would stat and seek every file (two syscalls each) to size a
        // buffer that is reused and already large.
        std::fs::File::open(path)
            .and_then(|file| file.take(u64::MAX).read_to_end(&mut buffer))
            .map_err(|e| ReadProblem::Io(io_reason(&e)))?;
        let text = check_source(&buffer)?;
        let hash = hash.then(|| xxhash_rust::xxh3::xxh3_64(&buffer));
        Ok((hash, scan(text)))
    })
}

/// A parsed file with its name resolution.
#[derive(Debug)]
pub struct Analysis {
    pub parsed: ParsedModule,
    pub semantic: SemanticModel,
    pub lines: LineIndex,
    /// What the project index keeps of this module (computed with the
    /// parse, in parallel, so indexing is a merge).
    pub summary: Arc<ModuleSummary>,
}

#[derive(Debug)]
pub enum FileState {
    /// Holds none of the rules' trigger words: nothing can be found in it.
    Skipped,
    Parsed(Box<Analysis>),
    SyntaxError(SyntaxError),
    Unreadable(ReadProblem),
}

#[derive(Debug)]
pub struct ProjectFile {
    pub id: FileId,
    pub path: PathBuf,
    /// `/`-separated, relative to the project root.
    pub relative: String,
    /// Dotted module name from the source roots.
    pub module: Option<String>,
    pub is_package: bool,
    /// Decided when first asked (most files of a large tree are never
    /// checked): see [`ProjectFile::layer`].
    layer: OnceLock<Layer>,
    /// Inside the paths the user asked about: findings are reported here.
    pub requested: bool,
    /// Read on first use (see [`read_file`]); `None` when unreadable.
    source: OnceLock<Option<SourceText>>,
    /// xxh3 of the content as read (the cache key is made of these), taken
    /// only when a cache is in use (with a stat record: see [`Inputs`]).
    pub hash: Option<u64>,
    /// Size and mtime when read, taken only for the stat record (`None`
    /// without one, for stdin, or when unavailable).
    pub stat: Option<crate::cache::Stat>,
    /// The text came from stdin (an editor's unsaved buffer), not from the
    /// file on disk.
    pub from_stdin: bool,
    /// The hash came from the last run's record, not from reading.
    pub hash_from_stat: bool,
    /// A fix changed the text: it is parsed whatever the prefilter says,
    /// so the index still knows what the fix left in it (a signature the
    /// fix changed must be checked against every caller).
    fixed: bool,
    /// Set when read for unreadable files; for the others on first use:
    /// prefiltered, then parsed if admitted (a run served from the cache
    /// does neither, and `fix -i` parses only what it has reached and what
    /// that depends on).
    state: OnceLock<FileState>,
    /// The index entry of a file analysed by [`ProjectFile::with_state`]
    /// without keeping the analysis.
    summary: Mutex<Option<Arc<ModuleSummary>>>,
    /// Made when the file is read to be hashed, else on first use;
    /// `None` when unreadable.
    scan: OnceLock<Option<Scan>>,
    /// What the text says of project modules beyond its imports, made on
    /// first use (see [`Project::reads_through_module`]).
    mentions: OnceLock<Option<Mentions>>,
    shared: Arc<Shared>,
}

/// What every file of a project consults, made once per project.
#[derive(Debug)]
struct Shared {
    triggers: Triggers,
    scanner: Scanner,
    layers: Layers,
    /// Which module-level function bodies can be skipped when parsing.
    bodies: BodyWords,
}

/// A function body matters when it holds a trigger word or one of the
/// names rules take for sessions and connections (`db`, `conn`, a
/// receiver ending in `pool`) or the transaction methods, in any case:
/// the rules' name heuristics ignore case (`request.state.DB` is a
/// session, `PG_POOL.fetch()` a raw query). Imports are first-party when
/// they name one of the project's packages.
#[derive(Debug)]
struct BodyWords(AhoCorasick);

/// Words beyond the trigger words that keep a body parsed.
const BODY_WORDS: &[&str] = &["db", "conn", "database", "commit", "rollback", "pool"];

impl BodyWords {
    fn new(triggers: &[String]) -> Self {
        let words = triggers
            .iter()
            .map(String::as_str)
            .chain(BODY_WORDS.iter().copied());
        // Word lists are small and fixed; building cannot fail for them.
        Self(
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(words)
                .expect("word lists form a valid automaton"),
        )
    }
}

impl Relevance for Shared {
    fn mentions(&self, text: &str) -> bool {
        self.bodies.0.is_match(text)
    }

    fn is_first_party(&self, root: &str) -> bool {
        self.scanner.is_project_name(root)
    }
}

impl ProjectFile {
    /// The layer of the backend the file belongs to: from its path, or
    /// what it does (see [`Layers::of_file`]).
    pub fn layer(&self) -> Layer {
        *self.layer.get_or_init(|| {
            self.shared
                .layers
                .of_file(&self.relative, || self.with_text(str::to_owned))
        })
    }

    /// Prefilters and parses the file on first use, and keeps the result
    /// (thread-safe: once, whoever asks).
    pub fn state(&self) -> &FileState {
        self.state.get_or_init(|| self.analyse_now())
    }

    fn analyse_now(&self) -> FileState {
        self.analyse(self.text())
    }

    /// Parses `text` when it holds a trigger word.
    fn analyse(&self, text: &str) -> FileState {
        if !self.fixed && !self.shared.triggers.admits(text) {
            return FileState::Skipped;
        }
        self.parse(text)
    }

    /// Parses `text`, skipping the module-level function bodies no rule can
    /// see into, unless a fix changed the file: verification must see all
    /// of a fixed text.
    fn parse(&self, text: &str) -> FileState {
        let skipping = (!self.fixed).then_some(&*self.shared as &dyn Relevance);
        self.parse_with(text, skipping)
    }

    fn parse_with(&self, text: &str, skipping: Option<&dyn Relevance>) -> FileState {
        parse_file(
            text,
            self.module.as_deref(),
            self.is_package,
            skipping,
            &|call| {
                self.shared.scanner.is_project_name(call)
                    || is_one_of(call, SESSION_CLASSES)
                    || is_one_of(call, RAW_CONNECTS)
            },
        )
    }

    /// Runs `f` on the file's state and text: the kept ones when there
    /// are, else ones made for this call and dropped after it, so checking
    /// a tree holds the syntax trees and texts of the files in flight, not
    /// of the tree. What stays: a state without a tree; the summary when
    /// `keep_summary()` says so, asked only when a summary was made (a
    /// module that others import: the index will look it up; while `f`
    /// runs it is there anyway, since checking a module looks its own
    /// summary up); the text when `keep_text` says so of the
    /// result (a file with findings: the report quotes it, and its ranges
    /// must fit the text they were found in).
    pub fn with_state<R>(
        &self,
        keep_summary: impl FnOnce() -> bool,
        f: impl FnOnce(&FileState, &str) -> R,
        keep_text: impl FnOnce(&R) -> bool,
    ) -> R {
        if let Some(state) = self.state.get() {
            // Nothing is found in a skipped or unreadable file: its text
            // is not needed (and not read).
            let text = match state {
                FileState::Parsed(_) | FileState::SyntaxError(_) => self.text(),
                FileState::Skipped | FileState::Unreadable(_) => "",
            };
            return f(state, text);
        }
        let read = self.source.get().is_none().then(|| self.read_source());
        let result = {
            let source = match &read {
                Some(read) => read.as_ref(),
                None => self.source.get().and_then(Option::as_ref),
            };
            let text = source.map_or("", |s| s.text.as_str());
            match self.analyse(text) {
                FileState::Parsed(analysis) => {
                    let kept = self.kept_summary().is_some();
                    if !kept {
                        *self.lock_summary() = Some(Arc::clone(&analysis.summary));
                    }
                    let result = f(&FileState::Parsed(analysis), text);
                    if !kept && !keep_summary() {
                        *self.lock_summary() = None;
                    }
                    result
                }
                small => f(self.state.get_or_init(|| small), text),
            }
        };
        if let Some(read) = read {
            if keep_text(&result) {
                let _ = self.source.set(read);
            }
        }
        result
    }

    /// What the project index keeps of this module: from the kept
    /// analysis, or from one made for it (then kept: it was asked for);
    /// empty for a module the prefilter skipped (nothing in it can matter
    /// to a rule, and the rules look modules up on the hot path).
    pub fn summary(&self) -> Arc<ModuleSummary> {
        if let Some(state) = self.state.get() {
            return match state {
                FileState::Parsed(analysis) => Arc::clone(&analysis.summary),
                _ => Arc::clone(&EMPTY_SUMMARY),
            };
        }
        if let Some(summary) = self.kept_summary() {
            return summary;
        }
        self.with_state(|| true, |_, _| (), |()| false);
        match self.state.get() {
            Some(FileState::Parsed(analysis)) => Arc::clone(&analysis.summary),
            Some(_) => Arc::clone(&EMPTY_SUMMARY),
            None => self
                .kept_summary()
                .unwrap_or_else(|| Arc::clone(&EMPTY_SUMMARY)),
        }
    }

    fn kept_summary(&self) -> Option<Arc<ModuleSummary>> {
        self.lock_summary().clone()
    }

    fn lock_summary(&self) -> std::sync::MutexGuard<'_, Option<Arc<ModuleSummary>>> {
        // A panic elsewhere cannot leave an `Option` half-written.
        self.summary.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the file's analysis and text: the kept ones, else a
    /// parse made for this call whatever the prefilter said (a reference
    /// search reads files no rule needed), dropped after it. `None` when
    /// the file cannot be read or parsed.
    pub fn with_any_analysis<R>(&self, f: impl FnOnce(&Analysis, &str) -> R) -> Option<R> {
        self.with_analysis_seeing(|_, _| false, f)
    }

    /// [`Self::with_any_analysis`], with every function body parsed when
    /// `looks_inside` says what the caller looks for may be in one of the
    /// bodies the analysis skipped (see [`ParsedModule::skipped_mentions`]):
    /// a reference search looks for names the skipping could not know
    /// mattered.
    pub fn with_analysis_seeing<R>(
        &self,
        looks_inside: impl FnOnce(&ParsedModule, &str) -> bool,
        f: impl FnOnce(&Analysis, &str) -> R,
    ) -> Option<R> {
        let run = |analysis: &Analysis, text: &str| {
            if analysis.parsed.skipped.is_empty() || !looks_inside(&analysis.parsed, text) {
                return Some(f(analysis, text));
            }
            match self.parse_with(text, None) {
                FileState::Parsed(full) => Some(f(&full, text)),
                _ => None,
            }
        };
        if let Some(FileState::Parsed(analysis)) = self.state.get() {
            return run(analysis, self.text());
        }
        let read;
        let text = match self.source.get() {
            Some(source) => source.as_ref()?.text.as_str(),
            None => {
                read = self.read_source()?;
                read.text.as_str()
            }
        };
        match self.parse(text) {
            FileState::Parsed(analysis) => run(&analysis, text),
            _ => None,
        }
    }

    /// Runs `f` on the file's text (kept, or read for this call).
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        match self.source.get() {
            Some(source) => source.as_ref().map(|s| f(&s.text)),
            None => self.read_source().map(|s| f(&s.text)),
        }
    }

    pub fn analysis(&self) -> Option<&Analysis> {
        match self.state() {
            FileState::Parsed(analysis) => Some(analysis),
            _ => None,
        }
    }

    /// The analysis when the file has been parsed already (never parses:
    /// reports served from the cache must not).
    pub fn analysis_if_parsed(&self) -> Option<&Analysis> {
        match self.state.get() {
            Some(FileState::Parsed(analysis)) => Some(analysis),
            _ => None,
        }
    }

    /// Known to be out of a database's reach ([`crate::reach`]): never
    /// parsed (a no-op once analysed).
    fn mark_skipped(&self) {
        let _ = self.state.set(FileState::Skipped);
    }

    /// Checking runs the rules on the file: not when the prefilter (no
    /// trigger word) or the reach analysis skips it. Known from its text
    /// before it is analysed.
    pub fn runs_rules(&self) -> bool {
        match self.state.get() {
            Some(FileState::Skipped) => false,
            Some(_) => true,
            None => {
                self.fixed
                    || self
                        .with_text(|text| self.shared.triggers.admits(text))
                        .unwrap_or(false)
            }
        }
    }

    /// Holds none of the trigger words (false until analysed).
    pub fn is_skipped(&self) -> bool {
        matches!(self.state.get(), Some(FileState::Skipped))
    }

    pub fn source(&self) -> Option<&SourceText> {
        self.source.get_or_init(|| self.read_source()).as_ref()
    }

    fn read_source(&self) -> Option<SourceText> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| decode_source(bytes).ok())
    }

    /// What the file says about its reach (see [`crate::reach`]): from
    /// the read that hashed it, else from the kept text or one read for
    /// the question and dropped.
    pub(crate) fn scan(&self) -> Option<&Scan> {
        self.scan
            .get_or_init(|| {
                let scan = |text: &str| {
                    self.shared
                        .scanner
                        .scan(text, self.module.as_deref(), self.is_package)
                };
                match self.source.get() {
                    Some(source) => source.as_ref().map(|s| scan(&s.text)),
                    None => read_file(&self.path, false, scan)
                        .ok()
                        .map(|(_, scan)| scan),
                }
            })
            .as_ref()
    }

    pub fn text(&self) -> &str {
        self.source().map_or("", |s| &s.text)
    }

    /// Starts with a UTF-8 byte-order mark (kept when written).
    pub fn has_bom(&self) -> bool {
        self.source().is_some_and(|s| s.bom)
    }

    pub fn is_unreadable(&self) -> bool {
        matches!(self.state.get(), Some(FileState::Unreadable(_)))
    }
}

/// A loaded project.
pub struct Project {
    pub settings: Settings,
    pub files: Vec<ProjectFile>,
    pub walk_problems: Vec<WalkProblem>,
    pub canon: Canon,
    /// Dotted module name → its file (summaries are read from the file's
    /// analysis, so an index lookup parses at most that one file).
    modules: FxHashMap<String, FileId>,
    /// Made from every file's scan on first use.
    imported: OnceLock<ModuleSet>,
    /// What the user may want to know (what was detected, what is off).
    pub notices: Vec<String>,
    /// [`Project::references`]' answers for the current texts.
    references: Mutex<FxHashMap<String, Arc<crate::references::References>>>,
    /// The program's files the check excludes, read when a reference
    /// search first needs them.
    pub(crate) outside: OnceLock<Vec<crate::references::OutsideFile>>,
    /// Told how a check pass advances (the CLI draws it on a terminal).
    pub progress: Arc<dyn Progress>,
    /// [`Project::memo`]'s answers for the current texts.
    memo: Mutex<FxHashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
}

/// Where a check pass reports how far it got: `start` with the number of
/// files to check, `advance` once per file checked (from any thread),
/// `finish` at the end. Fix rounds are passes of their own.
pub trait Progress: Send + Sync {
    fn start(&self, _files: usize) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// Reports nowhere (libraries, tests, pipes).
pub struct Silent;

impl Progress for Silent {}

/// Input for a project: files on disk, plus optional stdin content that
/// stands in for one of them.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Absolute paths the user asked about.
    pub paths: Vec<PathBuf>,
    /// `--stdin-filename` and the text read from stdin.
    pub stdin: Option<(PathBuf, String)>,
    /// What the last run recorded of each file: unchanged files are hashed
    /// from it without being read. With it (even empty) each file's size,
    /// mtime and content hash are taken, for the next record and the cache
    /// key; without it (no cache), they are not.
    pub known: Option<crate::cache::FileStats>,
}

/// Stack size for every thread that parses or walks an AST: the parser
/// and the visitors recurse once per nesting level, and deeply nested
/// (often generated) code overflowed the default 2 MiB (8 MiB on the main
/// thread). The memory is reserved, not committed, until used.
pub const STACK_SIZE: usize = 512 << 20;

/// Gives rayon's global pool [`STACK_SIZE`] stacks (once; a no-op when the
/// pool was already built by the caller).
pub fn init_thread_pool() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build_global();
    });
}

impl Project {
    /// Reads, parses and indexes the project.
    pub fn load(settings: Settings, inputs: &Inputs) -> Result<Self, EngineError> {
        let mut project = Self::read(settings, inputs)?;
        project.analyse()?;
        Ok(project)
    }

    /// Reads and indexes the project without parsing it: files are parsed
    /// when first looked at (`fix -i` starts before the tree is parsed).
    /// Detecting an undeclared canonical module still parses everything.
    pub fn open(settings: Settings, inputs: &Inputs) -> Result<Self, EngineError> {
        let mut project = Self::read(settings, inputs)?;
        project.index()?;
        Ok(project)
    }

    /// Parses every file the prefilter admitted (in parallel) and builds
    /// the index.
    pub fn analyse(&mut self) -> Result<(), EngineError> {
        self.parse_all();
        self.index()
    }

    fn parse_all(&self) {
        self.files.par_iter().for_each(|file| {
            file.state();
        });
    }

    /// Skips the files that cannot reach a database (see [`crate::reach`]),
    /// so checking parses only what can have findings.
    pub fn skip_unreachable(&self) {
        // Checking asks every parsed file whether it is imported: the set
        // that answers is built meanwhile, not by the first check.
        let (unreachable, _) = rayon::join(
            || crate::reach::unreachable(self),
            || self.imported_modules(),
        );
        for file in unreachable {
            file.mark_skipped();
        }
    }

    /// Discovers, reads and prefilters the files (nothing is parsed yet).
    pub fn read(settings: Settings, inputs: &Inputs) -> Result<Self, EngineError> {
        init_thread_pool();
        let mut requested = inputs.paths.clone();
        if let Some((path, _)) = &inputs.stdin {
            requested.retain(|p| p != path);
        }
        let (mut discovered, walk_problems) = discover(&settings, &requested)?;
        if let Some((path, _)) = &inputs.stdin {
            discovered.retain(|f| &f.path != path);
            discovered.push(crate::discover::Discovered {
                path: path.clone(),
                requested: true,
            });
            discovered.sort();
        }
        let names: Vec<Option<(String, bool)>> = discovered
            .par_iter()
            .map(|found| settings.module_name(&found.path))
            .collect();
        let loader = Loader {
            settings: &settings,
            shared: Arc::new(Shared {
                triggers: Triggers::new(&settings),
                bodies: BodyWords::new(&Triggers::words(&settings)),
                scanner: Scanner::new(
                    &settings,
                    names.iter().flatten().map(|(name, _)| name.as_str()),
                ),
                layers: settings.layers.clone(),
            }),
            known: inputs.known.as_ref(),
        };
        let files: Vec<ProjectFile> = discovered
            .into_par_iter()
            .zip(names)
            .enumerate()
            .map(|(i, (found, name))| {
                let stdin_text = inputs
                    .stdin
                    .as_ref()
                    .filter(|(p, _)| p == &found.path)
                    .map(|(_, text)| text.clone());
                loader.load(FileId(i as u32), found, name, stdin_text)
            })
            .collect();
        let modules = files
            .iter()
            .filter_map(|f| Some((f.module.clone()?, f.id)))
            .collect();
        let project = Self {
            settings,
            files,
            walk_problems,
            canon: Canon::empty(),
            modules,
            imported: OnceLock::new(),
            notices: Vec::new(),
            references: Mutex::default(),
            outside: OnceLock::new(),
            progress: Arc::new(Silent),
            memo: Mutex::default(),
        };
        Ok(project)
    }

    pub fn file(&self, id: FileId) -> &ProjectFile {
        &self.files[id.0 as usize]
    }

    pub fn file_by_module(&self, module: &str) -> Option<&ProjectFile> {
        Some(self.file(*self.modules.get(module)?))
    }

    /// What the index knows of a project module (parsing its file if that
    /// has not happened yet); empty for a module that does not parse.
    pub fn module(&self, module: &str) -> Option<Arc<ModuleSummary>> {
        Some(self.file_by_module(module)?.summary())
    }

    /// Another file imports `module` (or the configuration names it), so
    /// the index may look its summary up: worth keeping once made.
    pub fn is_imported(&self, module: &str) -> bool {
        self.canon.module.as_deref() == Some(module)
            || self.canon.deprecated.contains(module)
            || self.imported_modules().touches(module)
    }

    /// Some file imports `name` from `module` (`from module import name`,
    /// relative or not), or all of it (`from module import *`).
    pub fn imports_name(&self, module: &str, name: &str) -> bool {
        let imported = self.imported_modules();
        imported.has(&format!("{module}.{name}")) || imported.has(&format!("{module}.*"))
    }

    /// Some file may read `name` through the module object instead of
    /// importing it: `deps.name` where `module` itself is imported
    /// (`from app.api import deps`, `import app.api.deps as deps`), or
    /// the dotted `module.name` written anywhere (`app.api.deps.name`, a
    /// string such as `mock.patch("app.api.deps.name")`).
    pub fn reads_through_module(&self, module: &str, name: &str) -> bool {
        self.memo(|| ModuleMentions::collect(self))
            .reads(module, name)
    }

    fn imported_modules(&self) -> &ModuleSet {
        self.imported
            .get_or_init(|| crate::reach::imported(self.files.iter().filter_map(ProjectFile::scan)))
    }

    /// Replaces a file's text and re-analyses it (fix rounds), then
    /// rebuilds the index.
    pub fn replace_sources(&mut self, changes: Vec<(FileId, String)>) -> Result<(), EngineError> {
        for (id, text) in changes {
            let file = &mut self.files[id.0 as usize];
            let bom = file.has_bom();
            let source = SourceText { text, bom };
            file.state = OnceLock::new();
            file.fixed = true;
            file.summary = Mutex::new(None);
            file.scan = OnceLock::new();
            file.mentions = OnceLock::new();
            if file.hash.is_some() {
                let mut hash = xxhash_rust::xxh3::Xxh3::new();
                if bom {
                    hash.update(&[0xEF, 0xBB, 0xBF]);
                }
                hash.update(source.text.as_bytes());
                file.hash = Some(hash.digest());
            }
            file.source = OnceLock::from(Some(source));
        }
        self.imported = OnceLock::new();
        self.lock_references().clear();
        self.lock_memo().clear();
        self.index()
    }

    /// An answer about the whole project that a rule would otherwise
    /// compute for every file (which files say a word, what a module
    /// exports): made by `make` on first use, one per type `T`, forgotten
    /// when a fix changes a text. Two threads asking at once may both
    /// make it; the first one stored is kept.
    pub fn memo<T: std::any::Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let key = std::any::TypeId::of::<T>();
        let known = self.lock_memo().get(&key).cloned();
        let answer = known.unwrap_or_else(|| {
            // Made without the lock: `make` may ask for another memo.
            let made: Arc<dyn std::any::Any + Send + Sync> = Arc::new(make());
            Arc::clone(self.lock_memo().entry(key).or_insert(made))
        });
        answer
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("memo entries are keyed by their type"))
    }

    /// Some file names a `db_params` parameter or one of its providers:
    /// without one, no call can hand connection settings on.
    pub fn says_db_params(&self) -> bool {
        struct SaysDbParams(bool);
        self.memo(|| {
            SaysDbParams(
                self.files
                    .par_iter()
                    .any(|f| f.scan().is_some_and(|s| s.says_db_params)),
            )
        })
        .0
    }

    fn lock_memo(
        &self,
    ) -> std::sync::MutexGuard<'_, FxHashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>
    {
        self.memo.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn lock_references(
        &self,
    ) -> std::sync::MutexGuard<'_, FxHashMap<String, Arc<crate::references::References>>> {
        // A panic elsewhere cannot leave the map half-written.
        self.references
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// `module.name` → what that module imports under `name`.
    fn reexport(&self, name: &str) -> Option<String> {
        let (module, local) = name.rsplit_once('.')?;
        self.module(module)?.imports.get(local).cloned()
    }

    /// Follows re-exports: `app.db.get_session` → `app.db.session.get_session`
    /// when `app/db/__init__.py` imports it from `.session`.
    pub fn canonicalize(&self, qualified: &str) -> String {
        // A dotted name that is a module names the module, even when its
        // package re-exports an attribute of the same name (`core.db`
        // importing `session` from `core.db.session`): `from core.db.session
        // import x` imports the submodule.
        let follow = |name: &str| {
            if self.modules.contains_key(name) {
                None
            } else {
                self.reexport(name)
            }
        };
        let mut current = qualified.to_owned();
        for _ in 0..8 {
            if let Some(target) = follow(&current) {
                current = target;
                continue;
            }
            let Some((prefix, attr)) = current.rsplit_once('.') else {
                break;
            };
            match follow(prefix) {
                Some(target) => current = format!("{target}.{attr}"),
                None => break,
            }
        }
        current
    }

    /// The signature of a project function by qualified name.
    pub fn function(&self, qualified: &str) -> Option<Arc<FunctionSig>> {
        let qualified = self.canonicalize(qualified);
        // Try `module.func`, then `module.Class.method`.
        let (module, name) = qualified.rsplit_once('.')?;
        if let Some(sig) = self
            .module(module)
            .and_then(|m| m.functions.get(name).cloned())
        {
            return Some(sig);
        }
        let (module, class) = module.rsplit_once('.')?;
        self.module(module)?
            .functions
            .get(&format!("{class}.{name}"))
            .cloned()
    }

    /// True when a project function (by qualified name) obtains or uses a
    /// database session.
    /// What a project function opens a raw driver connection with
    /// (`asyncpg.connect`, `engine.raw_connection`), if it does.
    pub fn raw_connection_in(&self, qualified: &str) -> Option<String> {
        let sig = self.function(qualified)?;
        sig.calls.iter().find_map(|call| {
            let call = self.canonicalize(call);
            let raw = is_one_of(&call, RAW_CONNECTS)
                || call
                    .strip_suffix(".raw_connection")
                    .is_some_and(|engine| self.is_engine(engine));
            raw.then_some(call)
        })
    }

    pub fn function_touches_db(&self, qualified: &str) -> bool {
        let Some(sig) = self.function(qualified) else {
            return false;
        };
        sig.calls.iter().any(|call| {
            let call = self.canonicalize(call);
            // `factory.begin()` opens a session too.
            let receiver = call.rsplit_once('.').map_or("", |(r, _)| r);
            self.canon.context_manager.as_deref() == Some(call.as_str())
                || self.canon.dependency.as_deref() == Some(call.as_str())
                || self.is_factory(&call)
                || self.is_factory(receiver)
                || is_one_of(&call, SESSION_CLASSES)
        })
    }
}

/// What reading a file needs besides the file.
struct Loader<'a> {
    settings: &'a Settings,
    shared: Arc<Shared>,
    known: Option<&'a crate::cache::FileStats>,
}

impl Loader<'_> {
    fn load(
        &self,
        id: FileId,
        found: crate::discover::Discovered,
        name: Option<(String, bool)>,
        stdin_text: Option<String>,
    ) -> ProjectFile {
        let path = found.path;
        let relative = relative_to(&path, &self.settings.root);
        let (module, is_package) = match name {
            Some((module, is_package)) => (Some(module), is_package),
            None => (None, false),
        };
        let (mut stat, mut hash_from_stat) = (None, false);
        let mut scan = OnceLock::new();
        let from_stdin = stdin_text.is_some();
        let (source, read) = match stdin_text {
            Some(text) => {
                let hash = self
                    .known
                    .map(|_| xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
                match decode_source(text.into_bytes()) {
                    Ok(source) => (OnceLock::from(Some(source)), Ok(hash)),
                    Err(problem) => (OnceLock::from(None), Err(problem)),
                }
            }
            None => {
                // The stat is taken before reading: a change made while the
                // file is read shows as a new mtime next time. Without a
                // record to check against or write, it is not taken.
                stat = self
                    .known
                    .and_then(|_| std::fs::metadata(&path).ok())
                    .and_then(|m| crate::cache::stat_of(&m));
                let recorded = self
                    .known
                    .zip(stat)
                    .and_then(|(k, s)| k.hash_of(&relative, s));
                hash_from_stat = recorded.is_some();
                let read = match recorded {
                    Some(hash) => Ok(Some(hash)),
                    None => read_file(&path, self.known.is_some(), |text| {
                        self.shared
                            .scanner
                            .scan(text, module.as_deref(), is_package)
                    })
                    .map(|(hash, made)| {
                        scan = OnceLock::from(Some(made));
                        hash
                    }),
                };
                (OnceLock::new(), read)
            }
        };
        let (state, hash) = match read {
            Ok(hash) => (OnceLock::new(), hash),
            Err(problem) => (OnceLock::from(FileState::Unreadable(problem)), None),
        };
        ProjectFile {
            id,
            path,
            relative,
            module,
            is_package,
            layer: OnceLock::new(),
            requested: found.requested,
            source,
            hash,
            stat,
            from_stdin,
            hash_from_stat,
            fixed: false,
            state,
            summary: Mutex::new(None),
            scan,
            mentions: OnceLock::new(),
            shared: Arc::clone(&self.shared),
        }
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file".into(),
        _ => error.to_string(),
    }
}

/// Parses `text`; a function's summary keeps the calls `keeps_call` says
/// can matter to the index.
fn parse_file(
    text: &str,
    module: Option<&str>,
    is_package: bool,
    skipping: Option<&dyn Relevance>,
    keeps_call: &dyn Fn(&str) -> bool,
) -> FileState {
    let parsed = match skipping {
        Some(relevance) => parse_module_skipping(text, relevance),
        None => parse_module(text),
    };
    match parsed {
        Ok(parsed) => {
            let semantic =
                SemanticModel::build(&parsed.body, module.unwrap_or(""), is_package, text.len());
            let lines = LineIndex::new(text);
            let summary = Arc::new(summarize(&parsed.body, &semantic, keeps_call));
            FileState::Parsed(Box::new(Analysis {
                parsed,
                semantic,
                lines,
                summary,
            }))
        }
        Err(error) => FileState::SyntaxError(error),
    }
}

/// Finds any of a few words. aho-corasick's packed (Teddy, SIMD) searcher
/// scans the mixed corpus about 9 times faster than its DFA (34 vs 300 ms
/// for 128 MB); the DFA, without the rare-bytes prefilter (the words' rare
/// bytes are common in Python), is kept for CPUs without the instructions
/// and for word lists too long to pack.
#[derive(Debug)]
pub(crate) enum Words {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Words {
    pub(crate) fn new(words: &[String]) -> Self {
        if let Some(searcher) = aho_corasick::packed::Searcher::new(words) {
            return Self::Packed(searcher);
        }
        // Word lists are small and fixed; building cannot fail for them.
        Self::Automaton(
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(false)
                .build(words)
                .expect("word lists form a valid automaton"),
        )
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            Self::Packed(searcher) => searcher.find(text).is_some(),
            Self::Automaton(automaton) => automaton.is_match(text),
        }
    }

    /// Each word found (its index in the list, where it starts), leftmost
    /// first, not overlapping.
    pub(crate) fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 'a> {
        match self {
            Self::Packed(searcher) => Box::new(
                searcher
                    .find_iter(text)
                    .map(|m| (m.pattern().as_usize(), m.start())),
            ),
            Self::Automaton(automaton) => Box::new(
                automaton
                    .find_iter(text)
                    .map(|m| (m.pattern().as_usize(), m.start())),
            ),
        }
    }
}

/// The prefilter: words without which no rule can fire.
#[derive(Debug)]
pub struct Triggers(Words);

impl Triggers {
    pub fn new(settings: &Settings) -> Self {
        Self(Words::new(&Self::words(settings)))
    }

    fn words(settings: &Settings) -> Vec<String> {
        let mut words = crate::settings::strings(&[
            "session",
            "Session",
            "engine",
            "db_params",
            "tenant",
            "add_task",
            "create_task",
            "asyncpg",
            "psycopg",
            "execution_options",
            "aiopg",
            // Raw DB-API connections and queries on a raw asyncpg pool,
            // also through a project helper (DB115).
            "raw_conn",
            "cursor",
            "fetchrow",
            "fetchval",
            "pool.fetch",
            "pool.execute",
        ]);
        words.extend(settings.provider_words());
        words.extend(settings.db_params.iter().cloned());
        words.extend(settings.db_params_providers.iter().cloned());
        words.extend(settings.tenant_columns.iter().cloned());
        for module in settings.deprecated.keys().chain(&settings.canonical_module) {
            words.extend(module.rsplit('.').next().map(str::to_owned));
        }
        words.retain(|w| !w.is_empty());
        words
    }

    pub fn admits(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// What a file's text says of project modules beyond its import lines
/// (see [`Project::reads_through_module`]).
#[derive(Debug, Default)]
struct Mentions {
    /// Dotted names that start with one of the project's top-level
    /// packages, wherever written (code, strings, comments), and each of
    /// their prefixes (`app.api.deps.get_session` gives `app.api.deps`
    /// too), so a lookup is one probe.
    dotted: Vec<String>,
    /// For each project module the file imports as a module object, the
    /// attribute names it reads on the name the module is bound to
    /// (`deps.name`, `getattr(deps, "name")`).
    attributes: Vec<(String, Vec<String>)>,
}

impl Mentions {
    fn of_text(text: &str, roots: &[&str], objects: &[&str]) -> Self {
        let bytes = text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let word_end = |from: usize, dots: bool| {
            from + bytes[from..]
                .iter()
                .take_while(|&&b| is_word(b) || (dots && b == b'.'))
                .count()
        };
        // Where `prefix` starts a name (not the tail of a longer one, nor
        // an attribute unless `attribute`), and the word (dotted or not)
        // that follows it.
        let after = |prefix: &str, dots: bool, attribute: bool| -> Vec<&str> {
            memchr::memmem::find_iter(bytes, prefix.as_bytes())
                .filter(|&at| {
                    at == 0 || !(is_word(bytes[at - 1]) || (!attribute && bytes[at - 1] == b'.'))
                })
                .map(|at| &text[at + prefix.len()..word_end(at + prefix.len(), dots)])
                .collect()
        };
        let mut dotted: Vec<String> = roots
            .iter()
            .flat_map(|root| {
                after(&format!("{root}."), true, false)
                    .into_iter()
                    .map(move |rest| (root, rest))
            })
            .flat_map(|(root, rest)| {
                let rest = rest.trim_end_matches('.');
                let ends = rest.match_indices('.').map(|(i, _)| i).chain([rest.len()]);
                ends.map(move |end| format!("{root}.{}", &rest[..end]))
            })
            .collect();
        dotted.sort_unstable();
        dotted.dedup();
        // `from app.api import deps` or `import app.api.deps as d`: the
        // module is read as `deps.name` or `d.name`.
        let attributes = objects
            .iter()
            .map(|module| {
                let last = module.rsplit('.').next().unwrap_or(module);
                let mut locals = vec![last];
                // `import app.db.legacy as old`: `legacy` ends a dotted name.
                locals.extend(after(&format!("{last} as "), false, true));
                let mut read: Vec<String> = locals
                    .into_iter()
                    .filter(|local| !local.is_empty())
                    .flat_map(|local| {
                        // `d.name`, and the name as a string beside the
                        // module: `getattr(d, "name")`,
                        // `mock.patch.object(d, "name")`.
                        [".", ", \"", ", '"]
                            .into_iter()
                            .flat_map(move |sep| after(&format!("{local}{sep}"), false, false))
                    })
                    .map(str::to_owned)
                    .collect();
                read.sort_unstable();
                read.dedup();
                ((*module).to_owned(), read)
            })
            .collect();
        Self { dotted, attributes }
    }
}

/// Every file's [`Mentions`], merged for lookups (remade after a fix
/// round changes a text; only the changed files are read again).
#[derive(Debug, Default)]
struct ModuleMentions {
    dotted: FxHashSet<String>,
    attributes: FxHashMap<String, FxHashSet<String>>,
}

impl ModuleMentions {
    fn collect(project: &Project) -> Self {
        let mut roots: Vec<&str> = project
            .modules
            .keys()
            .map(|m| m.split('.').next().unwrap_or(m))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        project.files.par_iter().for_each(|file| {
            file.mentions.get_or_init(|| {
                let objects: Vec<&str> = file
                    .scan()
                    .map(|scan| {
                        scan.imported()
                            .filter(|m| project.modules.contains_key(*m))
                            .collect()
                    })
                    .unwrap_or_default();
                file.with_text(|text| Mentions::of_text(text, &roots, &objects))
            });
        });
        let mut merged = Self::default();
        for mentions in project
            .files
            .iter()
            .filter_map(|f| f.mentions.get()?.as_ref())
        {
            merged.dotted.extend(mentions.dotted.iter().cloned());
            for (module, names) in &mentions.attributes {
                merged
                    .attributes
                    .entry(module.clone())
                    .or_default()
                    .extend(names.iter().cloned());
            }
        }
        merged
    }

    fn reads(&self, module: &str, name: &str) -> bool {
        self.attributes
            .get(module)
            .is_some_and(|names| names.contains(name))
            || self.dotted.contains(&format!("{module}.{name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_dotted_names_and_reads_through_module_objects() {
        let text = "\
from app.api import deps
import app.db.legacy as old
mock.patch(\"app.api.deps.get_session\")
myapp.db.engine
deps.get_db(); old.engine; other.thing
mock.patch.object(old, \"factory\"); getattr(deps, 'get_session')
";
        let mentions = Mentions::of_text(text, &["app"], &["app.api.deps", "app.db.legacy"]);
        for dotted in ["app.api.deps.get_session", "app.api.deps", "app.db.legacy"] {
            assert!(mentions.dotted.iter().any(|d| d == dotted), "{dotted}");
        }
        // `myapp.` is not `app.`.
        assert!(!mentions.dotted.iter().any(|d| d == "app.db.engine"));
        assert_eq!(
            mentions.attributes,
            [
                (
                    "app.api.deps".to_owned(),
                    vec!["get_db".to_owned(), "get_session".to_owned()]
                ),
                (
                    "app.db.legacy".to_owned(),
                    vec!["engine".to_owned(), "factory".to_owned()]
                ),
            ]
        );
    }
    use crate::config::RawConfig;

    /// A lazily opened project of `files` (relative path, text).
    fn open(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        crate::testing::project_of(files, false)
    }

    #[test]
    fn content_is_hashed_and_stat_taken_only_for_a_cache() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("a.py"), "import os\n").unwrap();
        let settings = || Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
        let mut inputs = Inputs {
            paths: vec![root.clone()],
            ..Inputs::default()
        };
        let uncached = Project::open(settings(), &inputs).unwrap();
        assert_eq!(
            (uncached.files[0].hash, uncached.files[0].stat),
            (None, None)
        );
        inputs.known = Some(crate::cache::FileStats::default());
        let cached = Project::open(settings(), &inputs).unwrap();
        assert_eq!(
            cached.files[0].hash,
            Some(xxhash_rust::xxh3::xxh3_64(b"import os\n"))
        );
        assert!(cached.files[0].stat.is_some());
    }

    #[test]
    fn the_layer_is_decided_from_the_path_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("app/routers")).unwrap();
        std::fs::write(root.join("app/routers/items.py"), "x = 1\n").unwrap();
        std::fs::write(root.join("app/models.py"), "x = 1\n").unwrap();
        let settings = Settings::resolve(root.clone(), None, RawConfig::default()).unwrap();
        let inputs = Inputs {
            paths: vec![root],
            ..Inputs::default()
        };
        let project = Project::open(settings, &inputs).unwrap();
        let layers: Vec<(&str, Layer)> = project
            .files
            .iter()
            .map(|f| (f.relative.as_str(), f.layer()))
            .collect();
        assert_eq!(
            layers,
            [
                ("app/models.py", Layer::Other),
                ("app/routers/items.py", Layer::Router)
            ]
        );
    }

    #[test]
    fn a_text_read_for_one_look_is_kept_only_when_asked() {
        let (_dir, project) = open(&[
            ("a.py", "def a(session):\n    return session\n"),
            ("b.py", "def b(session):\n    return session\n"),
        ]);
        let [a, b] = [&project.files[0], &project.files[1]];
        let seen = a.with_state(
            || true,
            |state, text| (matches!(state, FileState::Parsed(_)), text.len()),
            |_| false,
        );
        assert_eq!(seen, (true, 35));
        assert!(a.source.get().is_none(), "dropped after the look");
        assert!(a.kept_summary().is_some(), "the summary stays when asked");
        b.with_state(|| false, |_, _| (), |()| true);
        assert!(b.source.get().is_some(), "kept when asked");
        assert!(b.kept_summary().is_none(), "dropped when not asked");
    }

    /// A project-wide answer is made once and forgotten when a fix
    /// changes a text: `db_params` written by a fix is seen.
    #[test]
    fn project_answers_are_remembered_until_a_text_changes() {
        let (_dir, mut project) = open(&[
            ("a.py", "import sqlalchemy\n"),
            ("b.py", "def b(session):\n    return session\n"),
        ]);
        assert!(!project.says_db_params());
        let made = std::sync::atomic::AtomicUsize::new(0);
        let count = || {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            7_u8
        };
        assert_eq!((*project.memo(count), *project.memo(count)), (7, 7));
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
        let b = project.files[1].id;
        project
            .replace_sources(vec![(
                b,
                "def b(db_params):\n    return db_params\n".into(),
            )])
            .expect("a text that parses replaces the old one");
        assert!(project.says_db_params());
        project.memo(count);
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn only_modules_that_others_import_are_worth_a_kept_summary() {
        let (_dir, project) = open(&[
            ("lib.py", "def helper(session):\n    return session\n"),
            ("main.py", "from lib import helper\n\nsession = None\n"),
            ("pkg.py", "import other.thing\n"),
        ]);
        assert!(project.is_imported("lib"));
        assert!(!project.is_imported("main"));
        assert!(!project.is_imported("pkg"), "`other` is no project module");
        let sig = project.function("main.helper").expect("followed to lib");
        assert_eq!(sig.params[0].name, "session");
    }

    #[test]
    fn the_canonical_names_reach_a_database_only_through_an_import() {
        let session = (
            "session.py",
            "from sqlalchemy.orm import sessionmaker\n\nasync_session_factory = sessionmaker()\n\ndef get_session():\n    return async_session_factory()\n",
        );
        // A name no import binds resolves to nothing: no rule can use it.
        let user = (
            "user.py",
            "def f(get_session):\n    session = get_session()\n",
        );
        let importer = (
            "importer.py",
            "from session import get_session\n\ndef f():\n    return get_session()\n",
        );
        let (_dir, project) = open(&[session, user, importer]);
        assert_eq!(project.canon.module.as_deref(), Some("session"));
        project.skip_unreachable();
        let skipped = |module: &str| {
            project
                .file_by_module(module)
                .expect("a module of the project")
                .is_skipped()
        };
        assert!(skipped("user"), "`get_session` alone names nothing");
        assert!(!skipped("importer"), "imports the canonical module");
    }

    #[test]
    fn a_skipped_file_is_looked_at_without_reading_its_text() {
        let (_dir, project) = open(&[("quiet.py", "x = 1\n")]);
        let file = &project.files[0];
        file.mark_skipped();
        let text = file.with_state(|| false, |_, text| text.to_owned(), |_| true);
        assert_eq!(text, "");
        assert!(file.source.get().is_none());
    }
}
