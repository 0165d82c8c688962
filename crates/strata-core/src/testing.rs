//! Helpers of the core's own unit tests: a schema read from CREATE statements by the core's
//! parsers (no database: what SQLite would refuse is not checked here).

use crate::schema::Schema;
use crate::statement::{classify, Object, Verb};
use crate::{parse, sql};

/// The schema `ddl`'s CREATE statements describe.
pub fn schema(ddl: &str) -> Schema {
    let mut s = Schema::default();
    for st in sql::split_statements(ddl) {
        let c = classify(&st.text);
        match (c.verb, c.object) {
            (Verb::Create, Some(Object::Table)) => s.add_table(parse::parse_create_table(&st.text).unwrap()),
            (Verb::Create, Some(Object::Index)) => s.add_index(parse::parse_create_index(&st.text).unwrap()),
            (Verb::Create, Some(Object::View)) => s.add_view(parse::parse_create_view(&st.text).unwrap()),
            (Verb::Create, Some(Object::Trigger)) => s.add_trigger(parse::parse_create_trigger(&st.text).unwrap()),
            _ => panic!("not a CREATE statement: {}", st.text),
        }
    }
    s
}
