//! Helpers of the core's own unit tests: a schema read from CREATE statements by the core's
//! parsers (no database: what SQLite would refuse is not checked here), and a [`HeadSchema`]
//! that knows the schema at each revision in advance.

use crate::export::HeadSchema;
use crate::revision::Graph;
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

/// The schema at each head, given as DDL: what a test's revisions produce, written out.
pub struct Known(pub Vec<(&'static str, &'static str)>);

impl HeadSchema for Known {
    fn head_schema(&self, graph: &Graph) -> Result<Schema, Box<dyn std::error::Error + Send + Sync>> {
        let head = graph.single_head()?;
        let (_, ddl) = self.0.iter().find(|(id, _)| *id == head).ok_or_else(|| format!("no schema known for {head}"))?;
        Ok(schema(ddl))
    }
}
