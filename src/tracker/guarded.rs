//! Changes made from a page someone looked at a while ago (`git issue
//! serve`): the same change as `set`, refused when a field it changes was
//! changed by someone else since the page showed it, so nothing newer is
//! overwritten silently.

use super::{Assignment, Error, Outcome, Result, Tracker};
use crate::format::Key;
use crate::format::fields;

impl Tracker {
    /// Applies `changes` like [`Tracker::set`], inside the same commit
    /// checking that each field of `seen` still has the value the caller
    /// saw (as one line of text, lists joined with `, `); otherwise refuses
    /// with [`Error::Stale`] and the values as they are now.
    pub fn set_if_unchanged(
        &self,
        key: &Key,
        seen: &[(String, String)],
        changes: &[Assignment],
    ) -> Result<Outcome> {
        self.update(key, |issue, config, now| {
            let moved: Vec<(String, String)> = seen
                .iter()
                .filter_map(|(name, was)| {
                    let spec = fields::field(name)?;
                    let is = issue.get(spec).to_text().unwrap_or_default();
                    (is != *was).then(|| (name.clone(), is))
                })
                .collect();
            if !moved.is_empty() {
                return Err(Error::Stale {
                    key: key.to_string(),
                    now: moved,
                });
            }
            for c in changes {
                c.apply(issue, config, now).map_err(Error::Refused)?;
            }
            Ok(())
        })
    }
}
