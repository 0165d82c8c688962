//! A teacher's exercise (strata-core's `exercise`) as a lesson of the panel: its text, a task
//! that says what counts, the checks of "done" the exercise defines, the goal drawn beside the
//! task, and one setup step that loads its start. It has no "show me": its author gave the
//! goal, not the way there, so it can only be done by hand.

use strata_core::exercise::Exercise;

use super::{Check, Lesson};
use crate::services::protocol::Step;

/// The exercise as the lesson panel shows and checks it.
pub fn lesson(exercise: &Exercise) -> Lesson {
    let checks = exercise
        .conditions()
        .into_iter()
        .map(|(what, condition)| Check { what, condition })
        .collect();
    Lesson {
        slug: exercise.slug(),
        number: 0,
        body: exercise.text.clone(),
        title: exercise.title.clone(),
        task: "Change the database until it has the goal schema drawn below, through a revision: \
               change the model, **Autogenerate**, **Save revision** and **Upgrade head**. A change \
               made in the SQL console does not count, and the rows the checks name must be there."
            .to_owned(),
        hint: "The goal's tables and columns marked *added* are still missing from the database, \
               those marked *removed* are still too many. Write the goal in the model editor, and \
               answer any rename question the Migration column asks: a rename keeps the data."
            .to_owned(),
        setup: vec![Step::Load(Box::new(exercise.start.clone()))],
        checks,
        show_me: Vec::new(),
        stages: Vec::new(),
        tools: Vec::new(),
        app: None,
        goal: Some(exercise.goal.clone()),
        goal_versions: Vec::new(),
        // The start model is written as SQL, whichever tab the teacher used.
        model_language: Default::default(),
        show_commit: false,
        exercise: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::protocol::Condition;
    use strata_core::exercise::{RowCheck, FORMAT};

    fn sample() -> Exercise {
        Exercise {
            format: FORMAT.into(),
            title: "Add a nickname".into(),
            text: "Give `users` a nickname.".into(),
            goal: "CREATE TABLE users (id INTEGER PRIMARY KEY, nickname TEXT);".into(),
            checks: vec![RowCheck {
                sql: "SELECT count(*) FROM users".into(),
                expect: vec![vec!["4".into()]],
            }],
            start: crate::services::demo::project(),
        }
    }

    #[test]
    fn an_exercise_is_a_lesson_of_one_stage_with_its_checks_its_goal_and_no_show_me() {
        let exercise = sample();
        let lesson = lesson(&exercise);
        assert_eq!(lesson.slug, exercise.slug());
        assert!(lesson.exercise);
        assert_eq!(lesson.stages().len(), 1);
        assert!(lesson.show_me.is_empty());
        assert_eq!(lesson.goal.as_deref(), Some(exercise.goal.as_str()));
        assert_eq!(
            lesson.setup,
            vec![Step::Load(Box::new(exercise.start.clone()))]
        );
        let conditions = lesson.conditions();
        assert_eq!(conditions.len(), 3);
        assert!(matches!(conditions[0], Condition::Schema { .. }));
        assert!(matches!(conditions[1], Condition::NoDrift { .. }));
        assert!(matches!(conditions[2], Condition::Rows { .. }));
    }
}
