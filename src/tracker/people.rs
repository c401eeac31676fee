//! People as the tracker names them: `Name <email>` (a git identity, a
//! comment's author, a reporter), a bare email, or a name. Pure: who "I"
//! am comes from the store.

use super::{Draft, Error, Result, Tracker};
use crate::format::Issue;
use crate::format::fields;
use crate::format::fields::{Val, Value};
use crate::query::Expr;

/// A person, read from how the files name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// As written: `Alice Example <alice@example.com>`.
    pub full: String,
    /// `Alice Example`; the part before `@` of a bare email.
    pub name: String,
    /// `alice@example.com`, lowercase, when there is one.
    pub email: Option<String>,
}

impl Person {
    /// Reads `Name <email>`, `email` or `name`.
    pub fn parse(text: &str) -> Person {
        let full = text.trim().to_owned();
        if let Some((name, rest)) = full.split_once('<')
            && let Some(email) = rest.strip_suffix('>')
            && email.contains('@')
        {
            let email = email.trim().to_lowercase();
            let name = name.trim();
            let name = if name.is_empty() {
                local_part(&email)
            } else {
                name.to_owned()
            };
            return Person {
                name,
                email: Some(email),
                full,
            };
        }
        if full.contains('@') && !full.contains(char::is_whitespace) {
            return Person {
                name: local_part(&full),
                email: Some(full.to_lowercase()),
                full,
            };
        }
        Person {
            name: full.clone(),
            email: None,
            full,
        }
    }

    /// Whether two ways of naming someone name the same person: the same
    /// email, else the same text.
    pub fn same(&self, other: &Person) -> bool {
        match (&self.email, &other.email) {
            (Some(a), Some(b)) => a == b,
            _ => self.full.eq_ignore_ascii_case(&other.full),
        }
    }
}

fn local_part(email: &str) -> String {
    email.split('@').next().unwrap_or_default().to_owned()
}

/// Who reported an issue: its `reporter_email` when someone filed it for
/// them, else its `reporter`.
pub fn reporter_of(issue: &Issue) -> Option<Person> {
    let email = issue.get(fields::named("reporter_email")).to_text();
    match (issue.reporter.as_deref(), email) {
        (Some(r), Some(e)) => {
            let mut p = Person::parse(r);
            p.email = Some(e.trim().to_lowercase());
            Some(p)
        }
        (Some(r), None) => Some(Person::parse(r)),
        (None, Some(e)) => Some(Person::parse(&e)),
        (None, None) => None,
    }
}

/// Puts a draft's reporter, reporter email and environment on a new
/// issue. Someone filing for a customer gives their email; the customer is
/// then the reporter (the commit still says who filed it).
pub(super) fn apply_reporter(issue: &mut Issue, draft: &Draft) -> Result<()> {
    let email = match draft.reporter_email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => {
            let valid = e
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                && !e.chars().any(|c| {
                    c.is_whitespace()
                        || crate::format::is_control(c)
                        || matches!(c, '<' | '>' | ',')
                });
            if !valid {
                return Err(Error::BadFlag {
                    flag: "reporter-email".to_owned(),
                    message: format!("{e:?} is not an email address like jane@example.com"),
                });
            }
            Some(e.to_owned())
        }
    };
    match (draft.reporter.as_deref().map(str::trim), &email) {
        (Some(r), _) if !r.is_empty() => issue.reporter = Some(r.to_owned()),
        (_, Some(e)) => issue.reporter = Some(e.clone()),
        _ => {}
    }
    if let Some(e) = email {
        issue.put(fields::named("reporter_email"), Value::Optional(Some(e)));
    }
    if !draft.env.is_empty() {
        let mut env = match issue.get(fields::named("env")) {
            Val::Map(m) => m.clone(),
            _ => Default::default(),
        };
        env.extend(draft.env.clone());
        issue.put(fields::named("env"), Value::Map(env));
    }
    Ok(())
}

impl Tracker {
    /// The user, as git names them for commits.
    pub fn me(&self) -> Result<Person> {
        Ok(Person::parse(&self.store.user()?))
    }

    /// `list --mine`: issues the user reported (by their git identity or
    /// their email) or is assigned (by name, email or both).
    pub fn mine(&self) -> Result<Expr> {
        let me = self.me()?;
        let field = |name: &str, values: Vec<String>| {
            Expr::Field(
                fields::named(name),
                values.into_iter().map(|v| v.to_lowercase()).collect(),
            )
        };
        let mut names = vec![me.full.clone(), me.name.clone()];
        names.extend(me.email.clone());
        let mut reporters = vec![me.full.clone()];
        reporters.extend(me.email.clone());
        let mut either = vec![field("reporter", reporters), field("assignee", names)];
        if let Some(email) = &me.email {
            either.push(field("reporter_email", vec![email.clone()]));
        }
        Ok(Expr::Or(either))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_from_every_form() {
        let p = Person::parse("Alice Example <Alice@Example.com>");
        assert_eq!(p.name, "Alice Example");
        assert_eq!(p.email.as_deref(), Some("alice@example.com"));
        let p = Person::parse("jane.doe@customer.com");
        assert_eq!(p.name, "jane.doe");
        assert!(p.same(&Person::parse("Jane <JANE.DOE@customer.com>")));
        let p = Person::parse("bob");
        assert_eq!((p.name.as_str(), p.email), ("bob", None));
    }
}
