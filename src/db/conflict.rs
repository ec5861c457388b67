//! What a refused write means in the product's words: a unique violation says
//! which record already exists, read from the constraint the database names,
//! and a write that lost a race for SQLite's lock says so.

use diesel::result::DatabaseErrorInformation;

/// What a request that lost a race for the database is told.
pub const CONCURRENT_CHANGE: &str = "another request changed the same data at the same time; retry";

/// The sentence naming what already exists, for a unique violation.
pub fn already_exists(info: &dyn DatabaseErrorInformation) -> String {
    let Some((table, columns)) = violated_key(info) else {
        return "the same record already exists".to_owned();
    };
    let known = match (table.as_str(), columns.as_str()) {
        ("accounts", "email") => "an account already uses this e-mail",
        ("schools", "code") => "a school already has this code",
        ("organisations", "code") => "an organisation already has this code",
        ("skills", "slug") => "a skill already has this slug",
        ("skill_aliases", "alias" | "pkey") => "this alias already names a skill",
        ("students", "school_id_student_number") => "a student with this number is already on the school's roster",
        ("students", "account_id") => "this student already has an account; sign in instead",
        ("applications", "offer_id_student_id") => "the student has already applied to this offer",
        ("placements", "application_id") => "this application already has a placement",
        _ => return format!("the same {} record already exists", table.replace('_', " ")),
    };
    known.to_owned()
}

/// Whether SQLite refused the statement because another connection held the
/// lock past the busy timeout, or could not wait for it.
pub fn is_busy(info: &dyn DatabaseErrorInformation) -> bool {
    let message = info.message();
    message.starts_with("database is locked") || message.starts_with("database table is locked")
}

/// The table and the columns (joined with `_`) of the violated key, from
/// either backend: PostgreSQL names the constraint, `<table>_<columns>_key`
/// by default, and its table; SQLite lists the columns in its message,
/// `UNIQUE constraint failed: students.school_id, students.student_number`.
fn violated_key(info: &dyn DatabaseErrorInformation) -> Option<(String, String)> {
    if let Some(list) = info.message().strip_prefix("UNIQUE constraint failed: ") {
        let mut table = None;
        let mut columns = Vec::new();
        for qualified in list.split(", ") {
            let (owner, column) = qualified.split_once('.')?;
            table = Some(owner);
            columns.push(column);
        }
        return Some((table?.to_owned(), columns.join("_")));
    }
    let table = info.table_name()?;
    let rest = info.constraint_name()?.strip_prefix(table)?.strip_prefix('_')?;
    let columns = rest.strip_suffix("_key").unwrap_or(rest);
    Some((table.to_owned(), columns.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info {
        message: &'static str,
        table: Option<&'static str>,
        constraint: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            self.table
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn sqlite(message: &'static str) -> Info {
        Info { message, table: None, constraint: None }
    }

    fn postgres(table: &'static str, constraint: &'static str) -> Info {
        Info {
            message: "duplicate key value violates unique constraint",
            table: Some(table),
            constraint: Some(constraint),
        }
    }

    #[test]
    fn both_backends_name_the_same_record() {
        let cases = [
            (sqlite("UNIQUE constraint failed: accounts.email"), "an account already uses this e-mail"),
            (postgres("accounts", "accounts_email_key"), "an account already uses this e-mail"),
            (sqlite("UNIQUE constraint failed: schools.code"), "a school already has this code"),
            (postgres("schools", "schools_code_key"), "a school already has this code"),
            (
                sqlite("UNIQUE constraint failed: students.school_id, students.student_number"),
                "a student with this number is already on the school's roster",
            ),
            (
                postgres("students", "students_school_id_student_number_key"),
                "a student with this number is already on the school's roster",
            ),
            (postgres("students", "students_account_id_key"), "this student already has an account; sign in instead"),
            (postgres("skill_aliases", "skill_aliases_pkey"), "this alias already names a skill"),
            (sqlite("UNIQUE constraint failed: skill_aliases.alias"), "this alias already names a skill"),
            (postgres("idempotency_keys", "idempotency_keys_pkey"), "the same idempotency keys record already exists"),
            (
                sqlite("UNIQUE constraint failed: idempotency_keys.account_id, idempotency_keys.key"),
                "the same idempotency keys record already exists",
            ),
            (sqlite("something else"), "the same record already exists"),
            (postgres("schools", "renamed_constraint"), "the same record already exists"),
        ];
        for (info, sentence) in cases {
            assert_eq!(already_exists(&info), sentence, "{} {:?}", info.message, info.constraint);
        }
    }

    #[test]
    fn a_lost_race_for_the_sqlite_lock_is_recognised() {
        assert!(is_busy(&sqlite("database is locked")));
        assert!(is_busy(&sqlite("database table is locked: students")));
        assert!(!is_busy(&sqlite("no such table: students")));
    }
}
