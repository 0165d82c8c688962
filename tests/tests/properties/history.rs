//! The head schema of random histories, replayed in small scratch databases (and resumed from
//! what an earlier replay kept), against the replay of the same history into one database.

use super::*;

/// A value as a SQL literal.
fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Blob(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}

/// The rows [`fill`] writes, as INSERT statements a revision can hold.
fn seed_sql(s: &Spec) -> String {
    let mut out = String::new();
    for t in &s.tables {
        let cols: Vec<&Col> = t.cols.iter().filter(|c| c.gen.is_none()).collect();
        let explicit_rowid = !t.without_rowid && t.alias().is_none();
        let mut names: Vec<String> = cols.iter().map(|c| q_always(&c.name)).collect();
        if explicit_rowid {
            names.insert(0, "_rowid_".into());
        }
        for i in 1..=ROWS {
            let mut vals: Vec<String> = cols.iter().map(|c| literal(&value(s, t.id, c.id, i))).collect();
            if explicit_rowid {
                vals.insert(0, (10 * i + 3).to_string());
            }
            out.push_str(&format!("INSERT INTO {} ({}) VALUES ({});\n", q_always(&t.name), names.join(", "), vals.join(", ")));
        }
    }
    out
}

/// How often the grouped replay answered without falling back, for the closing assertion.
#[derive(Default)]
struct PathCounts {
    grouped: std::cell::Cell<usize>,
    cases: std::cell::Cell<usize>,
}

/// A history made of a case: the start schema (with its rows in a third of the cases), the
/// migration to the target, its down plan and the up plan again. At the first and the last
/// revision the grouped replay must give exactly what one database gives (the same objects,
/// to the byte, or the same error); the model must be built grouped and match one database too.
fn check_history(case: &Case, counts: &PathCounts) -> Result<(), String> {
    use strata_core::revision::{Graph, Revision};
    use strata_engine::migrate;
    let start = build(&case.build);
    let mut target = start.clone();
    let ctx = Ctx { start: Some(&start) };
    for m in &case.mutations {
        apply_mutation(&mut target, &ctx, m);
    }
    let from_sql = render(&start, None);
    let to_sql = render(&target, case.annotate.then_some(&start));
    let seeded = case.mutations.len().is_multiple_of(3);
    let context = format!("--- from.sql ---\n{from_sql}\n--- to.sql ---\n{to_sql}\n--- seeded: {seeded} ---");

    let exact = |s: &strata_core::Schema| format!("{s:?}");
    let one = model::from_sql_in_one_database(&to_sql).map_err(|e| format!("one database refuses the model: {e}\n{context}"))?;
    match model::from_sql_grouped(&to_sql) {
        Some(s) if exact(&s) == exact(&one.schema) => {}
        Some(s) => return Err(format!("the grouped model differs\n--- grouped ---\n{s:?}\n--- one ---\n{:?}\n{context}", one.schema)),
        None => return Err(format!("a generated model fell back to one database\n{context}")),
    }
    let from = model::schema_from_sql(&from_sql).map_err(|e| format!("{e}\n{context}"))?;
    let mut all = one.renames.clone();
    if !case.annotate {
        all.extend(renames(&start, &target));
    }
    let mut opts = PlanOptions::default();
    if case.old_sqlite {
        opts.sqlite_version = (3, 24, 0);
    }
    let up = plan(&from, &one.schema, &diff(&from, &one.schema, &all), &opts);
    let back: Vec<Rename> = all.iter().map(Rename::reversed).collect();
    let down = plan(&one.schema, &from, &diff(&one.schema, &from, &back), &opts);
    let first = if seeded { format!("{from_sql}\n{}", seed_sql(&start)) } else { from_sql.clone() };
    let steps = [(first, false), (up.body_sql(), up.foreign_keys_off), (down.body_sql(), down.foreign_keys_off), (up.body_sql(), up.foreign_keys_off)];
    let revs: Vec<Revision> = steps
        .iter()
        .enumerate()
        .map(|(i, (sql, fk))| {
            let parents = if i == 0 { vec![] } else { vec![format!("r{}", i - 1)] };
            Revision::new(&format!("r{i}"), parents, "m", "t", sql, "").with_foreign_keys_off(*fk, false)
        })
        .collect();
    let g = Graph::new(revs).map_err(|e| e.to_string())?;
    let vt = migrate::DEFAULT_VERSION_TABLE;
    for id in ["r1", "r3"] {
        let ids = [id.to_string()];
        let one = migrate::schema_at_all_in_one_database(&g, &ids, vt).map(|s| exact(&s)).map_err(|e| e.to_string());
        let ours = migrate::schema_at_all(&g, &ids, vt).map(|s| exact(&s)).map_err(|e| e.to_string());
        if ours != one {
            return Err(format!(
                "at {id} the head schema differs from one database's\n--- ours ---\n{ours:?}\n--- one ---\n{one:?}\n--- up ---\n{}\n{context}",
                up.body_sql()
            ));
        }
        let grouped = migrate::schema_at_all_grouped(&g, &ids, vt).map_err(|e| e.to_string())?;
        if let Some(s) = &grouped {
            if Ok(exact(s)) != one {
                return Err(format!("at {id} the grouped replay answered what one database does not\n{context}"));
            }
        }
        if id == "r3" && !seeded {
            counts.cases.set(counts.cases.get() + 1);
            counts.grouped.set(counts.grouped.get() + usize::from(grouped.is_some()));
        }
    }
    Ok(())
}

#[test]
fn the_grouped_head_schema_equals_the_replay_into_one_database() {
    // With a store, each history's r3 is replayed on top of what its r1 left, as kept: the
    // resumed replay is held to one database too.
    strata_engine::migrate::use_schema_store(Box::new(MemoryStore::default()));
    let mut config = config();
    config.cases = config.cases.min(300);
    let counts = PathCounts::default();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case_strategy(), |case| check_history(&case, &counts).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
    // Without rows to see, nearly every history must be answered without the single database,
    // or this property would prove nothing about the grouped replay.
    let (grouped, cases) = (counts.grouped.get(), counts.cases.get());
    eprintln!("grouped replay answered {grouped} of {cases} histories without rows");
    assert!(grouped * 10 >= cases * 9, "the grouped replay answered only {grouped} of {cases} histories");
}

/// A schema store in memory, for the property above.
#[derive(Default)]
struct MemoryStore(std::sync::Mutex<std::collections::HashMap<String, strata_engine::migrate::KeptSchema>>);

impl strata_engine::migrate::SchemaStore for MemoryStore {
    fn load(&self, key: &str) -> Option<strata_engine::migrate::KeptSchema> {
        self.0.lock().unwrap().get(key).cloned()
    }

    fn save(&self, key: &str, kept: &strata_engine::migrate::KeptSchema) {
        self.0.lock().unwrap().insert(key.to_string(), kept.clone());
    }
}
