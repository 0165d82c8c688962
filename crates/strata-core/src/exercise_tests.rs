//! The exercise format and its link: a round trip, and every way a link or an exercise is
//! refused, each named in its message.

use super::*;
use crate::revision::Revision;

const START: &str = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE,\n    display_name TEXT NOT NULL\n);\n";

/// Two revisions in a line, applied, with rows: a project the way the playground's demo is.
fn start() -> Project {
    let first = Revision::new(
        "0001",
        vec![],
        "create users",
        "2026-11-02T09:14:05Z",
        START,
        "DROP TABLE users;",
    );
    let second = Revision::new(
        "0002",
        vec!["0001".to_owned()],
        "index emails",
        "2026-11-09T16:40:51Z",
        "CREATE INDEX users_email ON users (email);",
        "DROP INDEX users_email;",
    );
    Project {
        revisions: vec![first.render(), second.render()],
        applied: "head".to_owned(),
        data: "INSERT INTO users (email, display_name) VALUES ('ada@example.com', 'Ada');\n"
            .to_owned(),
        ..Project::empty(format!(
            "{START}CREATE INDEX users_email ON users (email);\n"
        ))
    }
}

/// The demo as the start, a nickname column as the goal, two row checks.
fn sample() -> Exercise {
    Exercise {
        format: FORMAT.to_owned(),
        title: "Add a nickname".to_owned(),
        text: "Add a **nickname** column to `users`, [through a revision](#task).".to_owned(),
        goal: START.replace(
            "display_name TEXT NOT NULL",
            "display_name TEXT NOT NULL,\n    nickname TEXT",
        ),
        checks: vec![
            RowCheck {
                sql: "SELECT count(*) FROM users".to_owned(),
                expect: vec![vec!["4".to_owned()]],
            },
            RowCheck {
                sql: "WITH u AS (SELECT email FROM users) SELECT email FROM u ORDER BY 1 LIMIT 1"
                    .to_owned(),
                expect: vec![vec!["ada@example.com".to_owned()]],
            },
        ],
        start: start(),
    }
}

fn bomb(bytes: usize) -> String {
    format!(
        "{PREFIX}{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
            &vec![b' '; bytes],
            10
        ))
    )
}

fn packed(json: &str) -> String {
    format!(
        "{PREFIX}{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
            json.as_bytes(),
            9
        ))
    )
}

/// The link with one change made to the exercise inside it, not validated on the way in.
fn link_with(change: impl FnOnce(&mut Exercise)) -> String {
    let mut exercise = sample();
    change(&mut exercise);
    exercise.share_fragment()
}

#[test]
fn an_exercise_link_round_trips_as_a_fragment_or_a_whole_url() {
    let exercise = sample();
    let fragment = exercise.share_fragment();
    assert!(fragment.starts_with("#exercise="));
    assert_eq!(Exercise::from_fragment(&fragment), Ok(exercise.clone()));
    let url = exercise.share_url("https://play.example.com/strata/?x=1#project=old");
    assert!(
        url.starts_with("https://play.example.com/strata/?x=1#exercise="),
        "{url}"
    );
    assert_eq!(Exercise::from_fragment(&url), Ok(exercise.clone()));
    assert_eq!(Exercise::from_json(&exercise.to_json()), Ok(exercise));
}

#[test]
fn the_id_is_stable_and_tells_exercises_apart() {
    let exercise = sample();
    assert_eq!(exercise.id(), sample().id());
    assert_eq!(exercise.id().len(), 12);
    assert!(exercise.id().chars().all(|c| c.is_ascii_hexdigit()));
    let mut other = sample();
    other.title.push('!');
    assert_ne!(other.id(), exercise.id());
    assert_eq!(exercise.slug(), format!("exercise-{}", exercise.id()));
}

#[test]
fn a_damaged_cut_or_foreign_link_is_refused_as_damaged() {
    let fragment = sample().share_fragment();
    // Cut on a whole group of four base64 letters, so what is left still decodes.
    let cut = &fragment[..PREFIX.len() + (fragment.len() - PREFIX.len()) / 8 * 4];
    for (bad, says) in [
        (
            cut,
            "the exercise link is damaged or cut short (its compressed data ends too early)",
        ),
        (
            "#exercise=!!!",
            "the exercise link is damaged or cut short (it is not base64url text)",
        ),
        (
            "#exercise=",
            "the exercise link is damaged or cut short (its compressed data ends too early)",
        ),
        (
            "#project=abc",
            "the exercise link is damaged or cut short (it has no exercise= part)",
        ),
    ] {
        let message = Exercise::from_fragment(bad).unwrap_err().to_string();
        assert!(message.starts_with(says), "{bad}: {message}");
        assert!(message.ends_with("nothing was changed"), "{message}");
    }
    // A link changed in a way that still decompresses is caught by zlib's checksum, or
    // unpacks to something that is not an exercise; either way it is refused.
    let garbled = fragment.replacen('A', "B", 3).replacen('x', "y", 3);
    assert!(Exercise::from_fragment(&garbled).is_err());
    let latin1 = format!(
        "{PREFIX}{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
            &[0xff, 0xfe, b'{'],
            9
        ))
    );
    assert_eq!(
        Exercise::from_fragment(&latin1),
        Err(ExerciseError::Link {
            message: "it does not unpack to UTF-8 text".into()
        })
    );
}

#[test]
fn a_decompression_bomb_is_refused_as_too_large_before_it_is_unpacked() {
    let link = bomb(SHARE_LIMIT + 1);
    assert!(link.len() < 40_000, "{}", link.len());
    let error = Exercise::from_fragment(&link).unwrap_err();
    assert_eq!(error, ExerciseError::TooLarge { limit: SHARE_LIMIT });
    assert_eq!(
        error.to_string(),
        "the exercise link is too large: it unpacks to more than 16 MiB, more than an exercise may hold; nothing was changed"
    );
    // At the limit it unpacks, and is refused for what it holds.
    assert!(matches!(
        Exercise::from_fragment(&bomb(SHARE_LIMIT)),
        Err(ExerciseError::Json { .. })
    ));
}

#[test]
fn json_of_another_kind_or_shape_is_refused_by_name() {
    let message = Exercise::from_fragment(&packed("{\"format\": \"strata-exercise/1\",\n oops}"))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("the exercise is not valid JSON at line 2, column 2"),
        "{message}"
    );
    let project = Exercise::from_fragment(&packed(&start().to_json())).unwrap_err();
    assert_eq!(
        project,
        ExerciseError::Format {
            found: "strata-project/1".into()
        }
    );
    assert!(
        project
            .to_string()
            .contains("reads only \"strata-exercise/1\""),
        "{project}"
    );
    assert_eq!(
        Exercise::from_fragment(&packed("[1]")).unwrap_err(),
        ExerciseError::Format {
            found: "none".into()
        }
    );
    let shape =
        Exercise::from_fragment(&packed("{\"format\": \"strata-exercise/1\", \"title\": 3}"))
            .unwrap_err();
    assert!(matches!(shape, ExerciseError::Shape { .. }), "{shape:?}");
}

#[test]
fn a_text_with_html_a_script_link_or_an_image_is_refused_naming_it() {
    for (text, what) in [
        ("Hello <script>alert(1)</script>", "raw HTML `<script>`"),
        (
            "<img src=x onerror=alert(1)>\n",
            "raw HTML `<img src=x onerror=alert(1)>`",
        ),
        (
            "[win a prize](javascript:alert(document.cookie))",
            "a link to `javascript:alert(document.cookie)`",
        ),
        (
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "a link to `data:text/html;base64,PHNjcmlwdD4=`",
        ),
        ("![tracker](https://evil.example/p.gif)", "an image"),
    ] {
        let error = Exercise::from_fragment(&link_with(|e| e.text = text.to_owned())).unwrap_err();
        assert_eq!(
            error,
            ExerciseError::Unsafe {
                what: what.to_owned()
            },
            "{text}"
        );
        assert!(
            error
                .to_string()
                .contains("which the playground does not show"),
            "{error}"
        );
    }
    // The same text passes the data checks alone: only the page, which renders it, asks.
    let mut exercise = sample();
    exercise.text = "<script>x</script>".into();
    assert_eq!(exercise.check_data(), Ok(()));
}

#[test]
fn titles_texts_goals_and_starts_out_of_bounds_are_refused() {
    let refused =
        |change: fn(&mut Exercise)| Exercise::from_fragment(&link_with(change)).unwrap_err();
    assert_eq!(
        refused(|e| e.title = "  ".into()),
        ExerciseError::Title { chars: 0 }
    );
    assert_eq!(
        refused(|e| e.title = "t".repeat(121)),
        ExerciseError::Title { chars: 121 }
    );
    assert_eq!(
        refused(|e| e.text = "a".repeat(TEXT_LIMIT + 1)),
        ExerciseError::TextTooLong {
            bytes: TEXT_LIMIT + 1
        }
    );
    assert_eq!(refused(|e| e.goal = "\n  ".into()), ExerciseError::NoGoal);
    let huge = refused(|e| e.goal = "--\n".repeat(20_000));
    assert!(
        matches!(
            huge,
            ExerciseError::GoalTooLarge(ProjectError::ModelTooLarge { .. })
        ),
        "{huge:?}"
    );
    let start = refused(|e| {
        e.start.revisions.remove(0);
    });
    assert!(
        matches!(start, ExerciseError::Start(ProjectError::Graph { .. })),
        "{start:?}"
    );
    assert!(
        start
            .to_string()
            .starts_with("the exercise's starting project is refused: "),
        "{start}"
    );
    let applied = refused(|e| e.start.applied = "nope".into());
    assert!(
        matches!(applied, ExerciseError::Start(ProjectError::Applied { .. })),
        "{applied:?}"
    );
    let checks = refused(|e| {
        e.checks = vec![e.checks[0].clone(); CHECKS_LIMIT + 1];
    });
    assert_eq!(
        checks,
        ExerciseError::TooManyChecks {
            count: CHECKS_LIMIT + 1
        }
    );
    let cells = refused(|e| e.checks[0].expect = vec![vec!["1".into(); 201]]);
    assert!(
        cells
            .to_string()
            .starts_with("row check 1 expects 201 values"),
        "{cells}"
    );
}

#[test]
fn a_row_check_that_writes_is_refused_by_the_statement_classifier() {
    for (sql, verb) in [
        ("DELETE FROM users", "a DELETE"),
        ("WITH gone AS (SELECT 1) DELETE FROM users", "a DELETE"),
        ("UPDATE users SET email = ''", "an UPDATE"),
        ("INSERT INTO users (email) SELECT 'x'", "an INSERT"),
        ("/* SELECT */ DROP TABLE users", "a DROP"),
        ("PRAGMA writable_schema = 1", "a PRAGMA"),
        ("ATTACH 'x.db' AS x", "an ATTACH"),
        ("CREATE TABLE t (x)", "a CREATE"),
        ("frobnicate users", "not a query: it is an unknown"),
    ] {
        let error =
            Exercise::from_fragment(&link_with(|e| e.checks[1].sql = sql.to_owned())).unwrap_err();
        assert_eq!(
            error,
            ExerciseError::CheckWrites {
                number: 2,
                verb: verb.to_owned()
            },
            "{sql}"
        );
        assert!(
            error
                .to_string()
                .starts_with(&format!("row check 2 is {verb} statement")),
            "{error}"
        );
    }
    // Two statements are refused whatever the second does; a quoted semicolon is one.
    let two = Exercise::from_fragment(&link_with(|e| {
        e.checks[0].sql = "SELECT 1; DELETE FROM users".into()
    }))
    .unwrap_err();
    assert_eq!(
        two.to_string(),
        "row check 1 holds 2 statements; a row check is exactly one query; nothing was changed"
    );
    assert!(
        Exercise::from_fragment(&link_with(|e| e.checks[0].sql = "SELECT ';' AS x; ".into()))
            .is_ok()
    );
    assert!(Exercise::from_fragment(&link_with(|e| e.checks[0].sql = "VALUES (1)".into())).is_ok());
    let long = Exercise::from_fragment(&link_with(|e| {
        e.checks[0].sql = format!("SELECT '{}'", "x".repeat(3000))
    }))
    .unwrap_err();
    assert!(
        long.to_string()
            .starts_with("row check 1 is 3009 bytes long"),
        "{long}"
    );
}

#[test]
fn check_lines_read_queries_and_expected_rows() {
    let lines = parse_check_lines(
        "SELECT count(*) FROM users => 4\n\n  SELECT id, email FROM users ORDER BY id LIMIT 2; => 1, ada@example.com; 2, grace@example.com\nSELECT email FROM users\nSELECT 1 WHERE 0 =>\n",
    )
    .unwrap();
    assert_eq!(
        lines,
        vec![
            CheckLine {
                sql: "SELECT count(*) FROM users".into(),
                expect: Some(vec![vec!["4".into()]])
            },
            CheckLine {
                sql: "SELECT id, email FROM users ORDER BY id LIMIT 2".into(),
                expect: Some(vec![
                    vec!["1".into(), "ada@example.com".into()],
                    vec!["2".into(), "grace@example.com".into()]
                ])
            },
            CheckLine {
                sql: "SELECT email FROM users".into(),
                expect: None
            },
            CheckLine {
                sql: "SELECT 1 WHERE 0".into(),
                expect: Some(vec![])
            },
        ]
    );
    assert_eq!(
        show_rows(&lines[1].expect.clone().unwrap()),
        "1, ada@example.com; 2, grace@example.com"
    );
    assert_eq!(show_rows(&[]), "no rows");
    assert_eq!(
        parse_check_lines("SELECT 1\nDELETE FROM users => 0"),
        Err(ExerciseError::CheckWrites {
            number: 2,
            verb: "a DELETE".into()
        })
    );
    assert!(matches!(
        parse_check_lines(&"SELECT 1\n".repeat(CHECKS_LIMIT + 1)),
        Err(ExerciseError::TooManyChecks { .. })
    ));
}
