//! Tests of revisions: the file format read back, sections, checksums, the graph and targets.

use std::collections::BTreeSet;

use super::*;

fn rev(id: &str, parents: &[&str], created: &str) -> Revision {
    Revision::new(id, parents.iter().map(|s| s.to_string()).collect(), &format!("make {id}"), created, &format!("CREATE TABLE {id} (x);"), &format!("DROP TABLE {id};"))
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn ids(v: Vec<&Revision>) -> Vec<&str> {
    v.into_iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn render_and_parse_round_trip() {
    let r = Revision::new("abc123", vec!["p1".into(), "p2".into()], "join heads", "2026-01-02T03:04:05Z", "\n\nCREATE TABLE t (x);\n\n", "DROP TABLE t;")
        .with_foreign_keys_off(false, true);
    let text = r.render();
    expect_test::expect![[r#"
        -- strata revision
        -- id: abc123
        -- parents: p1, p2
        -- message: join heads
        -- created: 2026-01-02T03:04:05Z

        -- +up
        CREATE TABLE t (x);

        -- +down foreign_keys=off
        DROP TABLE t;
    "#]]
    .assert_eq(&text);
    let back = Revision::parse(&text).unwrap();
    assert_eq!(back, r);
    let base = Revision::new("b", vec![], "", "", "", "");
    assert_eq!(Revision::parse(&base.render()).unwrap(), base);
    let every = SectionOptions { foreign_keys_off: true, no_transaction: true, accepts_data_loss: true };
    let batched = base.with_options(Direction::Up, every);
    assert!(batched.render().contains("-- +up foreign_keys=off no-transaction data-loss=accepted\n"), "{}", batched.render());
    assert_eq!(Revision::parse(&batched.render()).unwrap(), batched);
    assert!(matches!(Revision::parse("-- id: a\n-- +up no-transactions\n"), Err(RevisionError::Format { line: 2, .. })));
}

#[test]
fn generated_sql_is_marked_and_any_edit_makes_it_hand_written() {
    let r = Revision::new("g1", vec![], "add t", "t", "CREATE TABLE t (x);", "DROP TABLE t;");
    assert!(!r.is_generated() && !r.render().contains("-- generated:"));
    let g = r.mark_generated();
    assert!(g.is_generated());
    let text = g.render();
    assert!(text.contains(&format!("-- created: t\n-- generated: {}\n\n-- +up\n", sql_digest("CREATE TABLE t (x);\n", "DROP TABLE t;\n"))), "{text}");
    let back = Revision::parse(&text).unwrap();
    assert_eq!(back, g);
    assert!(back.is_generated());
    // CRLF line endings are not an edit; a changed statement, in either section, is.
    assert!(Revision::parse(&text.replace('\n', "\r\n")).unwrap().is_generated());
    assert!(!Revision::parse(&text.replace("(x)", "(x, y)")).unwrap().is_generated());
    assert!(!Revision::parse(&text.replace("DROP TABLE t;", "DROP TABLE IF EXISTS t;")).unwrap().is_generated());
    assert!(!Revision::parse(&text.replace("-- generated: ", "-- generated: 0")).unwrap().is_generated());
    // Options are not SQL: accepting data loss at `revision` time keeps it generated.
    let accepted = g.clone().with_options(Direction::Down, SectionOptions { accepts_data_loss: true, ..SectionOptions::default() });
    assert!(accepted.is_generated());
}

#[test]
fn sections_know_their_lines_and_repeat_annotations() {
    let text = "-- strata revision\n-- id: b1\n-- parents:\n-- note\n-- +up no-transaction\n\nALTER TABLE t ADD c;\n-- backfill in batches\n-- @repeat\nUPDATE t SET c = 0\n WHERE rowid IN (SELECT rowid FROM t WHERE c IS NULL LIMIT 2);\n-- +down\nALTER TABLE t DROP c;\n";
    let r = Revision::parse(text).unwrap();
    let up = r.section(Direction::Up);
    assert_eq!(up.iter().map(|s| (s.line, s.repeat, s.label.as_str())).collect::<Vec<_>>(), [(7, false, "ALTER TABLE t ADD c"), (10, true, "backfill in batches")]);
    assert_eq!(r.section(Direction::Down)[0].line, 13);
    assert_eq!((r.marker_line(Direction::Up), r.marker_line(Direction::Down)), (5, 12));
    assert!(!r.is_atomic());
    // Made in memory, the lines are those of the rendered file.
    let m = Revision::new("m", vec![], "x", "t", &r.up, &r.down).mark_generated();
    let rendered = m.render();
    for dir in [Direction::Up, Direction::Down] {
        for s in m.section(dir) {
            let line = rendered.lines().nth(s.line - 1).unwrap();
            assert!(s.sql.starts_with(line.trim().trim_end_matches(';')), "line {}: {line:?} vs {:?}", s.line, s.sql);
        }
        assert!(rendered.lines().nth(m.marker_line(dir) - 1).unwrap().starts_with("-- +"));
    }
}

#[test]
fn checksum_ignores_line_endings_only() {
    let r = rev("a", &[], "1");
    let crlf = r.render().replace('\n', "\r\n");
    let parsed = Revision::parse(&crlf).unwrap();
    assert_eq!(parsed.checksum, r.checksum);
    assert_eq!(parsed.up, r.up);
    let edited = r.render().replace("(x)", "(x, y)");
    assert_ne!(Revision::parse(&edited).unwrap().checksum, r.checksum);
}

#[test]
fn format_errors_name_the_line() {
    let e = Revision::parse("-- id: a\nCREATE TABLE t (x);\n-- +up\n").unwrap_err();
    assert_eq!(e, RevisionError::Format { line: 2, message: "SQL before the `-- +up` marker; put statements in the `-- +up` or `-- +down` section".into() });
    assert!(matches!(Revision::parse("-- +up\nx;\n"), Err(RevisionError::Format { line: 1, .. })));
    assert!(matches!(Revision::parse("-- id: a\n-- +sideways\n"), Err(RevisionError::Format { line: 2, .. })));
    assert!(matches!(Revision::parse("-- id: a b\n-- +up\n"), Err(RevisionError::Format { line: 1, .. })));
    assert!(matches!(Revision::parse("-- id: head\n-- +up\n"), Err(RevisionError::Format { line: 1, .. })));
    assert!(matches!(Revision::parse("-- id: a\n-- +down\n-- +up\n"), Err(RevisionError::Format { line: 3, .. })));
}

#[test]
fn graph_heads_branches_and_paths() {
    // a <- b <- c, a <- d (a branch), m merges c and d.
    let g = Graph::new(vec![rev("c", &["b"], "3"), rev("a", &[], "1"), rev("b", &["a"], "2"), rev("d", &["a"], "4")]).unwrap();
    assert_eq!(ids(g.revisions().collect()), ["a", "b", "c", "d"]);
    assert_eq!(g.heads(), ["c", "d"]);
    assert_eq!(g.branch_points(), vec![("a", vec!["b", "d"])]);
    let e = g.upgrade_path(&set(&[]), &Target::Head).unwrap_err();
    assert_eq!(e.to_string(), "there are 2 heads (c, d); join them with a merge revision first");
    assert_eq!(ids(g.upgrade_path(&set(&["a"]), &Target::Heads).unwrap()), ["b", "c", "d"]);
    assert_eq!(ids(g.upgrade_path(&set(&[]), &Target::Revision("c".into())).unwrap()), ["a", "b", "c"]);

    let g = Graph::new(g.revisions().cloned().chain([rev("m", &["c", "d"], "5")]).collect()).unwrap();
    assert_eq!(g.single_head().unwrap(), "m");
    assert_eq!(ids(g.upgrade_path(&set(&["a", "b"]), &Target::Head).unwrap()), ["c", "d", "m"]);
    assert_eq!(ids(g.upgrade_path(&set(&["a"]), &Target::Relative(2)).unwrap()), ["b", "c"]);
    assert!(matches!(g.upgrade_path(&set(&["a"]), &Target::Relative(9)), Err(RevisionError::OutOfRange { available: 4, .. })));
    let all = set(&["a", "b", "c", "d", "m"]);
    assert_eq!(g.current(&all), ["m"]);
    assert_eq!(g.current(&set(&["a", "b", "d"])), ["b", "d"]);
    assert_eq!(ids(g.downgrade_path(&all, &Target::Relative(-2)).unwrap()), ["m", "d"]);
    assert_eq!(ids(g.downgrade_path(&all, &Target::Revision("b".into())).unwrap()), ["m", "d", "c"]);
    assert_eq!(ids(g.downgrade_path(&all, &Target::Base).unwrap()), ["m", "d", "c", "b", "a"]);
    assert_eq!(g.downgrade_path(&set(&["a"]), &Target::Revision("b".into())).unwrap_err(), RevisionError::NotApplied { id: "b".into() });
    assert_eq!(g.ancestors("d"), set(&["a", "d"]));
    assert_eq!(g.descendants("c"), set(&["c", "m"]));
}

#[test]
fn resolve_prefixes_and_targets() {
    let g = Graph::new(vec![rev("abc1", &[], "1"), rev("abd2", &["abc1"], "2")]).unwrap();
    assert_eq!(g.resolve("abd").unwrap(), "abd2");
    assert_eq!(g.resolve("head").unwrap(), "abd2");
    assert!(matches!(g.resolve("ab"), Err(RevisionError::Ambiguous { .. })));
    assert!(matches!(g.resolve("zz"), Err(RevisionError::UnknownRevision { .. })));
    assert_eq!(Target::parse("+2"), Target::Relative(2));
    assert_eq!(Target::parse("-1"), Target::Relative(-1));
    assert_eq!(Target::parse("base"), Target::Base);
    assert_eq!(Target::parse("abd"), Target::Revision("abd".into()));
}

#[test]
fn a_comment_that_looks_like_a_marker_stays_in_its_section() {
    let view = "CREATE VIEW v AS\nSELECT 1\n-- +1 day grace period\n-- + note\nWHERE 1;";
    let r = Revision::new("r1", vec![], "view", "t", view, "DROP VIEW v;");
    let back = Revision::parse(&r.render()).unwrap();
    assert_eq!((back.up.as_str(), back.down.as_str()), (r.up.as_str(), r.down.as_str()));
    assert!(matches!(Revision::parse("-- id: r1\n-- +upp\nSELECT 1;"), Err(RevisionError::Format { line: 2, .. })));
}

#[test]
fn a_marker_line_inside_a_string_literal_reads_back_as_sql() {
    let up = "INSERT INTO notes (body) VALUES ('first line\n-- +down\n  -- +up  \nlast');\nCREATE TABLE \"odd\n-- +down\" (x);\n/*\n-- +down\n*/\nSELECT 1;";
    let r = Revision::new("r1", vec![], "markers in values", "t", up, "DELETE FROM notes;");
    let text = r.to_file().unwrap();
    let back = Revision::parse(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.statements(Direction::Up).len(), 3, "{}", back.up);
    assert_eq!(back.down, "DELETE FROM notes;\n");
}

#[test]
fn trailing_spaces_inside_a_string_are_kept() {
    let r = Revision::new("r1", vec![], "spaces", "t", "INSERT INTO t VALUES ('a  \nb');   \n", "");
    assert_eq!(r.up, "INSERT INTO t VALUES ('a  \nb');\n");
    assert_eq!(Revision::parse(&r.render()).unwrap(), r);
}

#[test]
fn a_revision_that_would_not_read_back_is_refused_with_the_line() {
    let r = Revision::new("r1", vec![], "comment marker", "t", "SELECT 1;\n-- +down\nSELECT 2;", "SELECT 3;");
    let e = r.to_file().unwrap_err();
    assert!(matches!(&e, RevisionError::Unreadable { id, problem } if id == "r1" && problem.contains("`-- +down`")), "{e}");
    let multi_line_created = Revision::new("r2", vec![], "m", "2026\n-- +up", "SELECT 1;", "");
    assert!(matches!(multi_line_created.to_file(), Err(RevisionError::Unreadable { .. })));
    // A well-formed revision passes.
    Revision::new("r3", vec!["r1".into()], "ok", "t", "SELECT 1;", "SELECT 2;").to_file().unwrap();
}

#[test]
fn an_unclosed_string_that_swallows_a_marker_names_where_it_opens() {
    let text = "-- id: r1\n\n-- +up\nINSERT INTO t VALUES ('oops);\n\n-- +down\nDELETE FROM t;\n";
    let e = Revision::parse(text).unwrap_err();
    assert!(matches!(&e, RevisionError::Format { line: 4, message } if message.contains("`-- +down` marker on line 6")), "{e}");
}

#[test]
fn targets_print_as_the_user_writes_them() {
    for spec in ["head", "heads", "base", "+2", "-1", "3f2a"] {
        assert_eq!(Target::parse(spec).to_string(), spec);
    }
    let g = Graph::new(vec![rev("a", &[], "1")]).unwrap();
    assert_eq!(g.upgrade_path(&set(&[]), &Target::Relative(-1)).unwrap_err().to_string(), "`-1` is not a target for upgrade (use downgrade)");
    assert_eq!(g.downgrade_path(&set(&["a"]), &Target::Head).unwrap_err().to_string(), "`head` is not a target for downgrade (use -N, a revision or base)");
}

#[test]
fn merge_parents_join_branches_and_refuse_a_line() {
    let g = Graph::new(vec![rev("a", &[], "1"), rev("b", &["a"], "2"), rev("c", &["a"], "3")]).unwrap();
    assert_eq!(g.merge_parents(&["heads".into()]).unwrap(), vec!["b", "c"]);
    assert_eq!(g.merge_parents(&["c".into(), "b".into(), "c".into()]).unwrap(), vec!["c", "b"]);
    assert_eq!(g.merge_parents(&["b".into()]).unwrap_err(), RevisionError::NothingToMerge { ids: vec!["b".into()] });
    assert_eq!(g.merge_parents(&["a".into(), "b".into()]).unwrap_err(), RevisionError::AlreadyMerged { ancestor: "a".into(), of: "b".into() });
    let line = Graph::new(vec![rev("a", &[], "1")]).unwrap();
    assert!(matches!(line.merge_parents(&["heads".into()]), Err(RevisionError::NothingToMerge { .. })));
}

#[test]
fn graph_refuses_bad_shapes() {
    assert_eq!(Graph::new(vec![rev("a", &[], "1"), rev("a", &[], "2")]).unwrap_err(), RevisionError::DuplicateId { id: "a".into() });
    assert!(matches!(Graph::new(vec![rev("a", &["zz"], "1")]), Err(RevisionError::UnknownParent { .. })));
    assert!(matches!(Graph::new(vec![rev("a", &["b"], "1"), rev("b", &["a"], "1")]), Err(RevisionError::Cycle { .. })));
}

#[test]
fn data_loss_is_read_from_the_sql_not_from_notes() {
    use crate::loss::Risk;
    let mut r = rev("a", &[], "1");
    r.down = "DROP TABLE a;\nALTER TABLE t DROP COLUMN c;\nCREATE TABLE \"_n\" (x);\nDROP TABLE \"k\";\nALTER TABLE \"_n\" RENAME TO \"k\";\n".into();
    let risks: Vec<String> = r.data_loss(Direction::Down).iter().map(Risk::describe).collect();
    assert_eq!(risks, ["drops table a and its rows", "drops column t.c and its values", "drops table k and its rows"]);
    // A note alone is not a statement; the statement below it is what counts.
    r.down = "-- drop column phone\n-- data loss: drops column users.phone\nALTER TABLE users DROP COLUMN phone;\n".into();
    assert_eq!(r.data_loss(Direction::Down), [Risk::DropColumn { table: "users".into(), column: "phone".into() }]);
    assert_eq!(r.statements(Direction::Down), vec![("ALTER TABLE users DROP COLUMN phone".to_string(), "drop column phone".to_string())]);
    assert!(r.data_loss(Direction::Up).is_empty());
}
