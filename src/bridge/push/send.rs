//! Sending what the plan lists, and recording each step on the branch as
//! soon as the service confirms it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::requests::{
    Client, Created, Lookups, add_comment, create, finish_create, resolve, update,
};
use super::{Fields, PushReport, steps_of, work_list};
use crate::bridge::apply::{Mapped, Mapper, comments_dir_of};
use crate::bridge::state::State;
use crate::bridge::{Error, Project, Result, Unmapped};
use crate::format::layout;
use crate::format::{Comment, Issue, Key, fields};
use crate::store::{Change, Edit};
use crate::tracker::Tracker;

/// Sends what [`plan`](super::plan) lists. Every create and every comment is recorded
/// on the branch (one commit each) as soon as the service confirms it, so
/// a run that stops half-way is resumed by running it again and nothing is
/// sent twice; updates are recorded together at the end, also after a
/// failure.
pub fn push(tracker: &Tracker, project: &Project, client: &Client) -> Result<PushReport> {
    let store = tracker.store();
    let mut state = State::load(&store.local_dir(), project);
    let (config, work, notes) = work_list(tracker, project, &state)?;
    let mut report = PushReport {
        service: project.service.name().to_owned(),
        project: project.name.clone(),
        notes,
        plan: steps_of(&work),
        ..PushReport::default()
    };
    let mut lookups = Lookups::default();
    // What was sent and recorded, for the message when a request fails.
    let mut done: Vec<String> = Vec::new();
    let mut pending: Vec<(Key, Mapped)> = Vec::new();
    let result = (|| -> Result<()> {
        for w in work {
            let mut mapper = Mapper {
                config: &config,
                project,
                unmapped: Unmapped::default(),
            };
            let (rkey, rid, url) = match &w.remote {
                None => {
                    let mut fields = w.fields.clone();
                    resolve(
                        client,
                        project,
                        &mut fields,
                        &mut lookups,
                        &mut report.notes,
                    )?;
                    let created = create(client, project, &fields)?;
                    // Closing (and, for Jira, reading the issue back) is
                    // another request: until it is done, the record holds
                    // no sync time, so a rerun sends the fields again as an
                    // update instead of creating the issue again.
                    let follow_up = fields.closed == Some(true) || created.issue.is_none();
                    let mut bridge = identity(project, &created);
                    if let Some(r) = &created.issue {
                        let mapped = mapper.map(r);
                        if !follow_up {
                            bridge = mapped.bridge.clone();
                        }
                        state.bases.insert(r.id.clone(), mapped);
                    }
                    record(
                        tracker,
                        &w.key,
                        Some(&bridge),
                        &[],
                        &format!(
                            "{}: sent to {} {} as {}",
                            w.key, project.service, project.name, created.key
                        ),
                    )?;
                    state.save()?;
                    done.push(format!("{} created as {}", w.key, created.key));
                    report
                        .created
                        .push((w.key.to_string(), created.key.clone()));
                    if follow_up {
                        let after = finish_create(client, project, &config, &created, &fields)?;
                        let mapped = mapper.map(&after);
                        record(
                            tracker,
                            &w.key,
                            Some(&mapped.bridge),
                            &[],
                            &format!(
                                "{}: {} {} {} as sent",
                                w.key, project.service, project.name, created.key
                            ),
                        )?;
                        state.bases.insert(after.id.clone(), mapped);
                        state.save()?;
                    }
                    let url = created
                        .issue
                        .as_ref()
                        .map_or(created.url.clone(), |r| r.url.clone());
                    (created.key, created.id, url)
                }
                Some((rkey, rid)) => {
                    if w.fields != Fields::default() {
                        let mut fields = w.fields.clone();
                        resolve(
                            client,
                            project,
                            &mut fields,
                            &mut lookups,
                            &mut report.notes,
                        )?;
                        let after = update(client, project, &config, rkey, &fields)?.remote;
                        let mapped = mapper.map(&after);
                        state.bases.insert(after.id.clone(), mapped.clone());
                        pending.push((w.key.clone(), mapped));
                        done.push(format!("{} ({rkey}) updated", w.key));
                        report.updated.push((w.key.to_string(), rkey.clone()));
                    }
                    (rkey.clone(), rid.clone(), w.url.clone())
                }
            };
            for (id, c) in &w.comments {
                let (posted, after) = add_comment(client, project, &rkey, &rid, &url, c)?;
                let mapped = after.map(|r| mapper.map(&r));
                record(
                    tracker,
                    &w.key,
                    mapped.as_ref().map(|m| &m.bridge),
                    &[(id.clone(), with_origin(c, project, &posted))],
                    &format!(
                        "{}: comment {id} sent to {} {} {rkey}",
                        w.key, project.service, project.name
                    ),
                )?;
                if let Some(m) = mapped {
                    // This commit holds the issue's newest record.
                    pending.retain(|(k, _)| k != &w.key);
                    state.bases.insert(rid.clone(), m);
                }
                state.save()?;
                done.push(format!("comment {id} on {} ({rkey})", w.key));
                report.comments += 1;
            }
        }
        Ok(())
    })();
    // Updates are recorded together, also when a later request failed.
    if !pending.is_empty() {
        record_many(tracker, &pending, project)?;
    }
    state.save()?;
    match result {
        Ok(()) => Ok(report),
        Err(e) if !done.is_empty() => Err(Error::Stopped {
            message: e.to_string(),
            sent: done,
            cause: Box::new(e),
        }),
        Err(e) => Err(e),
    }
}

/// The `bridge` of an issue just created there, before its fields are
/// known: no sync time.
fn identity(project: &Project, c: &Created) -> BTreeMap<String, String> {
    let mut b = BTreeMap::new();
    b.insert("service".to_owned(), project.service.name().to_owned());
    b.insert("project".to_owned(), project.name.clone());
    b.insert("id".to_owned(), c.id.clone());
    b.insert("key".to_owned(), c.key.clone());
    if !c.url.is_empty() {
        b.insert("url".to_owned(), c.url.clone());
    }
    b
}

/// A comment as sent: its file with the remote's id and address.
fn with_origin(c: &Comment, project: &Project, posted: &(String, String)) -> Comment {
    let mut c = c.clone();
    let mut origin = serde_json::Map::new();
    origin.insert("service".into(), json!(project.service.name()));
    origin.insert("id".into(), json!(posted.0));
    if !posted.1.is_empty() {
        origin.insert("url".into(), json!(posted.1));
    }
    c.extra.retain(|(k, _)| k != "bridge");
    c.extra.push(("bridge".to_owned(), Value::Object(origin)));
    c
}

/// Where an issue's file is: the current layout's path, or the first
/// layout's for an issue filed before it.
fn issue_path(snap: &crate::store::Snapshot<'_>, key: &Key) -> String {
    layout::issue_file_candidates(key)
        .into_iter()
        .find(|p| snap.contains(p))
        .unwrap_or_else(|| layout::issue_file(key))
}

/// Writes the `bridge` of an issue (and comment origins) in one commit.
fn record(
    tracker: &Tracker,
    key: &Key,
    bridge: Option<&BTreeMap<String, String>>,
    comments: &[(String, Comment)],
    message: &str,
) -> Result<()> {
    tracker.store().commit(|snap| {
        crate::tracker::read::known_format(snap, layout::CONFIG)?;
        let mut edits = Vec::new();
        let path = issue_path(snap, key);
        if let Some(b) = bridge {
            let path = path.clone();
            let text = snap.read(&path)?.unwrap_or_default();
            let mut issue = Issue::parse(&text).map_err(|e| {
                Error::Tracker(crate::tracker::Error::BadFile(crate::format::Problem::new(
                    &path, e,
                )))
            })?;
            issue.put(fields::named("bridge"), fields::Value::Map(b.clone()));
            let new = issue.print();
            if new != text {
                edits.push(Edit::Write {
                    path,
                    content: new.into_bytes(),
                });
            }
        }
        for (id, c) in comments {
            edits.push(Edit::Write {
                path: format!("{}/{id}.md", comments_dir_of(&path)),
                content: c.print().into_bytes(),
            });
        }
        Ok::<_, Error>((!edits.is_empty()).then(|| Change {
            message: message.to_owned(),
            edits,
        }))
    })?;
    Ok(())
}

fn record_many(tracker: &Tracker, pending: &[(Key, Mapped)], project: &Project) -> Result<()> {
    tracker.store().commit(|snap| {
        crate::tracker::read::known_format(snap, layout::CONFIG)?;
        let mut edits = Vec::new();
        for (key, m) in pending {
            let path = issue_path(snap, key);
            let Some(text) = snap.read(&path)? else {
                continue;
            };
            let Ok(mut issue) = Issue::parse(&text) else {
                continue;
            };
            issue.put(
                fields::named("bridge"),
                fields::Value::Map(m.bridge.clone()),
            );
            let new = issue.print();
            if new != text {
                edits.push(Edit::Write {
                    path,
                    content: new.into_bytes(),
                });
            }
        }
        Ok::<_, Error>((!edits.is_empty()).then(|| Change {
            message: format!(
                "Bridge {} {}: {} issue(s) sent",
                project.service,
                project.name,
                pending.len()
            ),
            edits,
        }))
    })?;
    Ok(())
}
