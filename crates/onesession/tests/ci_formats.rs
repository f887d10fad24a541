//! CI gate formats: SARIF validates against the 2.1.0 schema; GitHub
//! annotations and JUnit have the expected lines.

mod common;
use common::repo;

use assert_cmd::Command;

fn check(format: &str) -> String {
    let output = Command::cargo_bin("onesession")
        .unwrap()
        .current_dir(repo().join("testdata/example"))
        .args(["check", "--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(
        !validator.is_valid(&broken),
        "the validator rejects a run without a tool"
    );
    let log: serde_json::Value = serde_json::from_str(&check("sarif")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "DB104" && r["helpUri"].as_str().unwrap().ends_with("DB104.md")));
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            >= 1
    ));
    // Safe fixes are included, unsafe and manual ones are not.
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
    assert!(results
        .iter()
        .filter(|r| r["ruleId"] == "DB106")
        .all(|r| r.get("fixes").is_none()));
}

#[test]
fn github_annotations() {
    let out = check("github");
    let line = out
        .lines()
        .find(|l| l.contains("file=app/tasks/carrier_sync.py,line=7"))
        .expect("the DB101 annotation");
    assert!(
        line.starts_with("::error file=app/tasks/carrier_sync.py,line=7,col="),
        "{line}"
    );
    assert!(
        line.contains(",title=DB101 factory-import::DB101 "),
        "{line}"
    );
    // A likely finding (a helper that opens a raw connection may return
    // something else) is a warning, every other one an error.
    let likely = out
        .lines()
        .find(|l| l.contains("file=app/scheduler/jobs.py,line=34"))
        .expect("the likely DB115 annotation");
    assert!(likely.starts_with("::warning file="), "{likely}");
    assert_eq!(
        out.lines()
            .filter(|l| !l.starts_with("::error file="))
            .count(),
        1,
        "{out}"
    );
}

#[test]
fn junit_report() {
    let out = check("junit");
    assert!(out.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"onesession\""
    ));
    assert!(
        out.contains("<testcase name=\"DB101 app/tasks/carrier_sync.py:7:"),
        "{out}"
    );
    assert!(out.contains("<failure message=\""));
}
