//! SQLModel files: classes, fields, decorators, strings of every kind and indentation, and
//! files strata reads (so the reader gets past its first check).

use super::*;

pub fn py_name(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.pick(&["id", "name", "email", "team_id", "created_at", "hero", "Team", "User"]).to_string(),
        1 => rng.pick(&["class", "def", "None", "table", "select", "order", "_", "__x__", "metadata"]).to_string(),
        2 => unicode::name(rng),
        _ => format!("{}{}", rng.pick(&["f", "x", "col", "T"]), rng.below(30)),
    }
}

fn py_string(rng: &mut Rng) -> String {
    let body = match rng.below(4) {
        0 => format!("{}.{}", py_name(rng), py_name(rng)),
        1 => unicode::string(rng, 3),
        _ => py_name(rng),
    };
    match rng.below(10) {
        0 => format!("'{}'", body.replace('\'', "\\'")),
        1 => format!("\"\"\"{body}\n\"\"\""),
        2 => format!("r\"{body}\\\""),
        3 => format!("f\"{{{body}}}\""),
        4 => format!("b'{body}'"),
        5 => format!("\"{body}"),
        6 => format!("'''{body}"),
        _ => format!("\"{}\"", body.replace('"', "\\\"")),
    }
}

fn py_value(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.coin() {
        return match rng.below(8) {
            0 => rng.below(300).to_string(),
            1 => rng.pick(&["None", "True", "False", "-1", "1.5", "0x10", "1_0", "1e3", "...", "99999999999999999999999"]).to_string(),
            2 | 3 => py_string(rng),
            _ => format!("{}.{}", py_name(rng), py_name(rng)),
        };
    }
    let d = depth - 1;
    match rng.below(6) {
        0 => format!("[{}, {}]", py_value(rng, d), py_value(rng, d)),
        1 => format!("({},)", py_value(rng, d)),
        2 => format!("{{{}: {}}}", py_string(rng), py_value(rng, d)),
        3 => format!("{}({})", rng.pick(&["text", "Column", "String", "Integer", "ForeignKey", "func.now", "Enum", "lambda: 1"]), py_value(rng, d)),
        4 => format!("{} {} {}", py_value(rng, d), rng.pick(&["+", "|", "or", "and", "if", "*"]), py_value(rng, d)),
        _ => {
            let n = rng.range(50, 2000);
            format!("{}{}{}", "(".repeat(n), py_value(rng, d), ")".repeat(n))
        }
    }
}

const PY_TYPES: &[&str] = &[
    "int", "str", "float", "bool", "bytes", "datetime", "date", "time", "timedelta", "Decimal", "uuid.UUID", "UUID", "dict", "list", "Any",
    "Optional[int]", "Optional[str]", "int | None", "None | str", "Union[int, None]", "List[\"Hero\"]", "Color", "Optional[datetime.datetime]",
];

fn field(rng: &mut Rng, indent: &str) -> String {
    let ann = if rng.one_in(6) { py_name(rng) } else { rng.pick(PY_TYPES).to_string() };
    let kwargs: Vec<String> = (0..rng.len(2))
        .map(|_| {
            let (k, v) = match rng.below(14) {
                0 => ("primary_key", rng.pick(&["True", "False", "1"]).to_string()),
                1 => ("default", py_value(rng, 1)),
                2 => ("foreign_key", format!("\"{}.{}\"", py_name(rng), py_name(rng))),
                3 => ("nullable", rng.pick(&["True", "False"]).to_string()),
                4 => ("index", "True".to_string()),
                5 => ("unique", "True".to_string()),
                6 => ("max_length", rng.pick(&["255", "-1", "0", "99999999999999999999", "'x'"]).to_string()),
                7 => ("ondelete", rng.pick(&["\"CASCADE\"", "\"SET NULL\"", "\"RESTRICT\"", "\"bogus\""]).to_string()),
                8 => ("sa_column", format!("Column({}, {})", rng.pick(&["String(20)", "Integer", "Text", "JSON", "Numeric(10, 2)", "DateTime(timezone=True)"]), py_value(rng, 1))),
                9 => ("sa_type", rng.pick(&["String(20)", "Integer", "Text", "JSON", "LargeBinary", "Enum(Color)"]).to_string()),
                10 => ("sa_column_kwargs", format!("{{\"server_default\": {}}}", py_value(rng, 1))),
                11 => ("default_factory", rng.pick(&["uuid.uuid4", "datetime.utcnow", "list"]).to_string()),
                12 => ("decimal_places", rng.below(5).to_string()),
                _ => ("alias", py_string(rng)),
            };
            format!("{k}={v}")
        })
        .collect();
    let value = match rng.below(5) {
        0 => String::new(),
        1 => format!(" = {}", py_value(rng, 1)),
        2 => format!(" = Relationship(back_populates={})", py_string(rng)),
        _ => format!(" = Field({})", kwargs.join(", ")),
    };
    let comment = if rng.one_in(8) { format!("  # @renamed from={}", py_name(rng)) } else { String::new() };
    format!("{indent}{}: {ann}{value}{comment}\n", py_name(rng))
}

fn class(rng: &mut Rng) -> String {
    let indent = *rng.pick(&["    ", "    ", "  ", "\t", "        ", " \t"]);
    let mut s = String::new();
    if rng.one_in(5) {
        s.push_str(&format!("@{}\n", rng.pick(&["dataclass", "some.decorator(x=1)", "property"])));
    }
    let bases = match rng.below(6) {
        0 => "SQLModel".to_string(),
        1 => format!("{}, table=True", py_name(rng)),
        2 => format!("str, {}", rng.pick(&["Enum", "enum.Enum"])),
        _ => "SQLModel, table=True".to_string(),
    };
    s.push_str(&format!("class {}({bases}):{}\n", py_name(rng), if rng.one_in(8) { "  # @renamed from=old" } else { "" }));
    if rng.one_in(4) {
        s.push_str(&format!("{indent}\"\"\"{}\"\"\"\n", unicode::string(rng, 5)));
    }
    if rng.one_in(3) {
        s.push_str(&format!("{indent}__tablename__ = {}\n", py_string(rng)));
    }
    if rng.one_in(4) {
        s.push_str(&format!(
            "{indent}__table_args__ = ({}(\"{}\", \"{}\"{}),)\n",
            rng.pick(&["UniqueConstraint", "Index", "CheckConstraint", "PrimaryKeyConstraint"]),
            py_name(rng),
            py_name(rng),
            if rng.coin() { ", name=\"n\"" } else { "" }
        ));
    }
    if rng.one_in(8) {
        s.push_str(&format!("{indent}RED = \"red\"\n"));
    }
    for _ in 0..rng.len(3) {
        s.push_str(&field(rng, indent));
    }
    if rng.one_in(6) {
        s.push_str(&format!("\n{indent}def method(self):\n{indent}{indent}return {}\n", py_value(rng, 2)));
    }
    if rng.one_in(10) {
        s.push_str(&format!("{indent}pass\n"));
    }
    s
}

/// A SQLModel file: imports, enums, models, stray statements.
pub fn python_model(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.one_in(20) {
        s.push('\u{feff}');
    }
    if rng.coin() {
        s.push_str(rng.word(&[
            "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n",
            "import uuid\nfrom datetime import datetime\nfrom sqlmodel import *\n",
            "from __future__ import annotations\n",
            "import sqlalchemy as sa\nfrom sqlalchemy import Column, String, Index, UniqueConstraint\n",
        ]));
    }
    for _ in 0..rng.len(3).max(1) {
        if rng.one_in(6) {
            s.push_str(&format!("{} = {}\n", py_name(rng), py_value(rng, 2)));
        }
        if rng.one_in(8) {
            s.push_str(&format!("# {}\n", unicode::string(rng, 5)));
        }
        s.push_str(&class(rng));
        s.push_str(rng.word(&["\n", "\n\n", "", "\r\n", "\n\n\n"]));
    }
    s
}

/// A SQLModel file that reads: table classes with a primary key and fields of the supported
/// types and options, enums and base classes, and rename comments.
pub fn valid_python(rng: &mut Rng) -> String {
    let mut s = String::from("from typing import Optional\nfrom sqlmodel import Field, SQLModel\nimport enum\n\n");
    if rng.coin() {
        s.push_str("class Color(str, enum.Enum):\n    red = \"red\"\n    green = \"green\"\n\n");
    }
    if rng.coin() {
        s.push_str("class Base(SQLModel):\n    note: Optional[str] = None\n\n");
    }
    let mut tables: Vec<String> = Vec::new();
    for n in 0..rng.range(1, 4) {
        let class = format!("{}{n}", rng.pick(&["Hero", "Team", "Café", "Ünit", "Item"]));
        let base = if rng.coin() && s.contains("class Base") { "Base" } else { "SQLModel" };
        s.push_str(&format!("class {class}({base}, table=True):{}\n", if rng.one_in(8) { "  # @renamed from=old" } else { "" }));
        if rng.one_in(3) {
            s.push_str(&format!("    __tablename__ = \"{}\"\n", rng.pick(&["heroes", "two words", "select", "名前", "x\"y"]).replace('"', "\\\"")));
        }
        s.push_str(rng.word(&["    id: Optional[int] = Field(default=None, primary_key=True)\n", "    id: int = Field(primary_key=True)\n", "    code: str = Field(primary_key=True, max_length=8)\n"]));
        for f in 0..rng.below(5) {
            let (ty, opts) = match rng.below(9) {
                0 => ("str", "max_length=255, index=True".to_string()),
                1 => ("Optional[int]", "default=None".to_string()),
                2 => ("float", "default=0.5".to_string()),
                3 => ("bool", "default=False".to_string()),
                4 => ("datetime", "sa_column_kwargs={\"server_default\": text(\"CURRENT_TIMESTAMP\")}".to_string()),
                5 if s.contains("class Color") => ("Color", "default=Color.red".to_string()),
                6 if !tables.is_empty() => ("Optional[int]", format!("default=None, foreign_key=\"{}.id\", ondelete=\"CASCADE\"", rng.pick(&tables))),
                7 => ("str", "unique=True".to_string()),
                _ => ("bytes", "default=None, nullable=True".to_string()),
            };
            let name = rng.pick(&["name", "email", "size", "名前", "café", "order", "x"]).to_string() + &f.to_string();
            s.push_str(&format!("    {name}: {ty} = Field({opts}){}\n", if rng.one_in(8) { "  # @renamed from=old_name" } else { "" }));
        }
        s.push('\n');
        tables.push(class.to_lowercase());
    }
    s
}
