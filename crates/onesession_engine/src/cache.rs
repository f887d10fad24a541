//! The check cache: when nothing changed since the last run (same tool
//! version, configuration, selection, and every file's content), the
//! findings come from the cache and no file is parsed.
//!
//! Keyed by content hashes (xxh3), not modification times. One entry per
//! "slot" (project root, requested paths and rule selection), written
//! atomically (temporary file + rename), so concurrent runs see an old or
//! a new entry, never half of one; an entry that does not parse, or does
//! not match the project, is ignored.

use std::path::{Path, PathBuf};

use onesession_text::{Applicability, Edit, FileId, Fix};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::project::Project;
use crate::rule::{Finding, Rule, RuleSet};
use crate::settings::Settings;

/// The cache directory: `ONESESSION_CACHE_DIR`, else `.onesession_cache`
/// next to the configuration file, else in the working directory — never
/// inside a tree that is only being looked at (a stdlib, site-packages).
pub fn cache_dir(settings: &Settings, cwd: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("ONESESSION_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = match &settings.config {
        Some(config) => config.path.parent().unwrap_or(cwd),
        None => cwd,
    };
    base.join(".onesession_cache")
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    notices: Vec<String>,
    findings: Vec<Cached>,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    rule: String,
    path: String,
    start: usize,
    end: usize,
    message: String,
    applicability: Option<Applicability>,
    edits: Vec<(String, usize, usize, String)>,
    group: Option<crate::rule::Group>,
    confidence: crate::rule::Confidence,
}

pub struct CheckCache {
    file: PathBuf,
    key: String,
}

impl CheckCache {
    /// `selection` names what else decides the result (the rule set).
    pub fn new(dir: &Path, project: &Project, rules: &RuleSet<'_>) -> Self {
        let mut slot = Xxh3::new();
        slot.update(project.settings.root.to_string_lossy().as_bytes());
        let mut key = Xxh3::new();
        key.update(env!("CARGO_PKG_VERSION").as_bytes());
        // Builds of one version differ (a development build, a patched
        // install): the executable's size and mtime tell them apart.
        if let Some(stat) = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .and_then(|m| stat_of(&m))
        {
            key.update(format!("{stat:?}").as_bytes());
        }
        if let Some(config) = &project.settings.config {
            key.update(&std::fs::read(&config.path).unwrap_or_default());
        }
        key.update(format!("{:?}", project.settings.exclude.patterns).as_bytes());
        for id in rules.enabled() {
            slot.update(id.as_bytes());
        }
        for file in &project.files {
            if file.requested {
                slot.update(file.relative.as_bytes());
            }
            key.update(file.relative.as_bytes());
            key.update(&[u8::from(file.requested)]);
            match file.hash {
                Some(hash) => key.update(&hash.to_le_bytes()),
                None => key.update(b"\0unhashed"),
            }
            if file.is_unreadable() {
                key.update(b"\0unreadable");
            }
        }
        Self {
            file: dir.join(format!("check-{:016x}.json", slot.digest())),
            key: format!("{:032x}", key.digest128()),
        }
    }

    /// The cached findings and notices, when the entry matches this
    /// project exactly.
    pub fn load(
        &self,
        project: &Project,
        rules: &RuleSet<'_>,
    ) -> Option<(Vec<Finding>, Vec<String>)> {
        let text = std::fs::read_to_string(&self.file).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        if entry.key != self.key {
            return None;
        }
        let ids: std::collections::HashMap<&str, FileId> = project
            .files
            .iter()
            .map(|f| (f.relative.as_str(), f.id))
            .collect();
        let file_id = |path: &str| ids.get(path).copied();
        let mut findings = Vec::with_capacity(entry.findings.len());
        for cached in entry.findings {
            let rule: &'static Rule = rules.rule(&cached.rule)?;
            let file = file_id(&cached.path)?;
            // The text is read after it was hashed: if it changed in
            // between, a range may no longer fit it (a miss, not a panic).
            let text = project.file(file).text();
            if cached.start > cached.end
                || !text.is_char_boundary(cached.start)
                || !text.is_char_boundary(cached.end)
            {
                return None;
            }
            let fix = match cached.applicability {
                Some(applicability) => {
                    let mut edits = Vec::new();
                    for (path, start, end, replacement) in cached.edits {
                        let target = file_id(&path)?;
                        let text = project.file(target).text();
                        if start > end
                            || !text.is_char_boundary(start)
                            || !text.is_char_boundary(end)
                        {
                            return None;
                        }
                        edits.push((target, Edit::replace(start..end, replacement)));
                    }
                    Some(Fix {
                        applicability,
                        edits,
                    })
                }
                None => None,
            };
            findings.push(Finding {
                rule,
                file,
                range: cached.start..cached.end,
                message: cached.message,
                fix,
                group: cached.group,
                confidence: cached.confidence,
            });
        }
        Some((findings, entry.notices))
    }

    /// Stores the findings; failures only cost the next run its cache.
    pub fn store(&self, project: &Project, findings: &[Finding]) {
        let path = |id: FileId| project.file(id).relative.clone();
        let entry = Entry {
            key: self.key.clone(),
            notices: project.notices.clone(),
            findings: findings
                .iter()
                .map(|f| Cached {
                    rule: f.rule.id.to_owned(),
                    path: path(f.file),
                    start: f.range.start,
                    end: f.range.end,
                    message: f.message.clone(),
                    applicability: f.fix.as_ref().map(|x| x.applicability),
                    edits: f
                        .fix
                        .iter()
                        .flat_map(|x| x.edits.iter())
                        .map(|(file, e)| {
                            (
                                path(*file),
                                e.range.start,
                                e.range.end,
                                e.replacement.clone(),
                            )
                        })
                        .collect(),
                    group: f.group.clone(),
                    confidence: f.confidence,
                })
                .collect(),
        };
        if let Ok(text) = serde_json::to_vec(&entry) {
            write_atomically(&self.file, &text);
        }
    }
}

/// Size and modification time (ns since the epoch) of a file.
pub type Stat = (u64, i128);

pub fn stat_of(metadata: &std::fs::Metadata) -> Option<Stat> {
    let modified = metadata.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some((metadata.len(), since.as_nanos() as i128))
}

/// A file modified less than this before its stat was recorded may have
/// changed again within the file system's timestamp granularity: it is
/// read again rather than trusted (git's "racy" rule).
const RACY_NANOS: i128 = 2_000_000_000;

/// The size, modification time and content hash of each file as last
/// read, so that a warm run hashes a file without reading it when its size
/// and mtime are unchanged. The check cache stays keyed by content hashes;
/// this only saves reading bytes whose hash is already known.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct FileStats {
    /// When the record was taken (ns since the epoch).
    taken: i128,
    /// Relative path → (size, mtime, hash).
    files: std::collections::HashMap<String, (u64, i128, u64)>,
}

impl FileStats {
    fn path(dir: &Path, root: &Path) -> PathBuf {
        let slot = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
        dir.join(format!("stat-{slot:016x}.json"))
    }

    /// The record for `root`; empty when missing or unreadable.
    pub fn load(dir: &Path, root: &Path) -> Self {
        std::fs::read(Self::path(dir, root))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The recorded hash when size and mtime match and the file was not
    /// modified just before the record was taken.
    pub fn hash_of(&self, relative: &str, stat: Stat) -> Option<u64> {
        let &(len, mtime, hash) = self.files.get(relative)?;
        ((len, mtime) == stat && mtime + RACY_NANOS < self.taken).then_some(hash)
    }

    /// Records every readable file's stat and hash (atomically; a failure
    /// only costs the next run some reading). Nothing is written when every
    /// hash came from the record already.
    pub fn store(dir: &Path, project: &Project) {
        if project
            .files
            .iter()
            .all(|f| f.hash_from_stat || f.stat.is_none() || f.is_unreadable())
        {
            return;
        }
        let Some(taken) = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_nanos() as i128)
        else {
            return;
        };
        let files = project
            .files
            .iter()
            .filter(|f| !f.is_unreadable())
            .filter_map(|f| {
                let ((len, mtime), hash) = f.stat.zip(f.hash)?;
                Some((f.relative.clone(), (len, mtime, hash)))
            })
            .collect();
        let record = FileStats { taken, files };
        if let Ok(text) = serde_json::to_vec(&record) {
            write_atomically(&Self::path(dir, &project.settings.root), &text);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// concurrent run reads the old or the new content, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let marker = dir.join(".gitignore");
    if !marker.exists() {
        let _ = std::fs::write(marker, "# Created by onesession\n*\n");
    }
    let Ok(mut temp) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    if std::io::Write::write_all(&mut temp, bytes).is_ok() {
        let _ = temp.persist(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(taken: i128) -> FileStats {
        let mut files = std::collections::HashMap::new();
        files.insert("app/x.py".to_owned(), (10, 1_000, 42));
        FileStats { taken, files }
    }

    #[test]
    fn a_matching_stat_gives_the_recorded_hash() {
        let stats = record(1_000 + RACY_NANOS + 1);
        assert_eq!(stats.hash_of("app/x.py", (10, 1_000)), Some(42));
    }

    #[test]
    fn another_size_mtime_or_path_is_read_again() {
        let stats = record(1_000 + RACY_NANOS + 1);
        assert_eq!(stats.hash_of("app/x.py", (11, 1_000)), None);
        assert_eq!(stats.hash_of("app/x.py", (10, 1_001)), None);
        assert_eq!(stats.hash_of("app/y.py", (10, 1_000)), None);
    }

    #[test]
    fn a_file_modified_just_before_the_record_is_read_again() {
        let stats = record(1_000 + RACY_NANOS);
        assert_eq!(stats.hash_of("app/x.py", (10, 1_000)), None);
    }
}
