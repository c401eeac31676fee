//! The values of ranges: `priority:p0..p1` in `tracker.yml`'s order,
//! `votes:>5`, `created:>7d`.

use jiff::{Timestamp, ToSpan};

use super::{Field, NumberRange, TimeRange};
use crate::format::Config;

/// `priority:p0..p1` expands to the values between, in tracker.yml's
/// order; `priority:>p2` means more urgent than p2 (earlier in the list).
pub(super) fn ranked_values(
    f: Field,
    values: &[String],
    config: &Config,
) -> Result<Vec<String>, String> {
    let list: Vec<String> = f
        .vocabulary
        .map(|v| config.values(v))
        .unwrap_or_default()
        .iter()
        .map(|v| v.to_lowercase())
        .collect();
    let index = |v: &str| {
        list.iter().position(|x| x == v).ok_or_else(|| {
            format!(
                "{v:?} is not a {}; tracker.yml allows: {}",
                f.name,
                list.join(", ")
            )
        })
    };
    let mut out = Vec::new();
    for v in values {
        let (lo, hi) = if let Some((a, b)) = v.split_once("..") {
            let (a, b) = (index(a)?, index(b)?);
            (a.min(b), a.max(b))
        } else if let Some(x) = v.strip_prefix(">=") {
            (0, index(x)?)
        } else if let Some(x) = v.strip_prefix('>') {
            let i = index(x)?;
            if i == 0 {
                continue;
            }
            (0, i - 1)
        } else if let Some(x) = v.strip_prefix("<=") {
            (index(x)?, list.len() - 1)
        } else if let Some(x) = v.strip_prefix('<') {
            (index(x)? + 1, list.len() - 1)
        } else {
            let i = index(v)?;
            (i, i)
        };
        for x in list.iter().take(hi + 1).skip(lo) {
            if !out.contains(x) {
                out.push(x.clone());
            }
        }
    }
    Ok(out)
}

/// `>5`, `>=5`, `<5`, `<=5`, `2..10`, `5`.
pub(super) fn number_range(value: &str) -> Result<NumberRange, String> {
    let bad = || format!("{value:?} is not a number like 5, >5, <=10 or 2..10");
    let num = |s: &str| -> Result<Option<u64>, String> {
        match s {
            "" | "*" => Ok(None),
            s => s.parse().map(Some).map_err(|_| bad()),
        }
    };
    if let Some((a, b)) = value.split_once("..") {
        return Ok(NumberRange {
            from: num(a)?,
            to: num(b)?,
        });
    }
    let one = |s: &str| num(s)?.ok_or_else(bad);
    Ok(if let Some(r) = value.strip_prefix(">=") {
        NumberRange {
            from: Some(one(r)?),
            to: None,
        }
    } else if let Some(r) = value.strip_prefix('>') {
        NumberRange {
            from: Some(one(r)?.checked_add(1).ok_or_else(bad)?),
            to: None,
        }
    } else if let Some(r) = value.strip_prefix("<=") {
        NumberRange {
            from: None,
            to: Some(one(r)?),
        }
    } else if let Some(r) = value.strip_prefix('<') {
        match one(r)?.checked_sub(1) {
            Some(to) => NumberRange {
                from: None,
                to: Some(to),
            },
            // Below zero: nothing.
            None => NumberRange {
                from: Some(1),
                to: Some(0),
            },
        }
    } else {
        let n = one(value)?;
        NumberRange {
            from: Some(n),
            to: Some(n),
        }
    })
}

/// `>2026-01-01`, `<=7d`, `2026-01-01..2026-02-01`, `2026-01-05` (that
/// day). A relative time (`7d`, `2w`, `3m`, `1y`, `12h`) is that long
/// before now, so `created:>7d` is "created in the last seven days".
pub(super) fn time_range(value: &str, now: Timestamp) -> Result<TimeRange, String> {
    let bad = |what: &str| {
        format!(
            "{what}; use a date like 2026-01-31, a time like 2026-01-31T09:30:00Z, or an age like 7d, 2w, 3m, 1y"
        )
    };
    // A point and, for a day, the day after it.
    let point = |s: &str| -> Result<(Timestamp, Timestamp), String> {
        if let Some(ts) = crate::format::parse_timestamp(s) {
            return Ok((ts, ts.checked_add(1.second()).unwrap_or(ts)));
        }
        if let Ok(date) = s.parse::<jiff::civil::Date>() {
            let start = date
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(|_| bad("not a date"))?
                .timestamp();
            let end = start.checked_add(24.hours()).unwrap_or(start);
            return Ok((start, end));
        }
        let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: i64 = num
            .parse()
            .map_err(|_| bad(&format!("{s:?} is not a date")))?;
        let span = jiff::Span::new();
        let span = match unit {
            "h" => span.try_hours(n),
            "d" => span.try_days(n),
            "w" => span.try_weeks(n),
            "m" => span.try_months(n),
            "y" => span.try_years(n),
            _ => return Err(bad(&format!("{s:?} is not a date"))),
        }
        .map_err(|_| bad("too far back"))?;
        let at = now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_sub(span)
            .map_err(|_| bad("too far back"))?
            .timestamp();
        Ok((at, at))
    };
    if let Some((a, b)) = value.split_once("..") {
        let from = if a.is_empty() || a == "*" {
            None
        } else {
            Some(point(a)?.0)
        };
        let until = if b.is_empty() || b == "*" {
            None
        } else {
            Some(point(b)?.1)
        };
        return Ok(TimeRange { from, until });
    }
    let (op, rest) = if let Some(r) = value.strip_prefix(">=") {
        (">=", r)
    } else if let Some(r) = value.strip_prefix("<=") {
        ("<=", r)
    } else if let Some(r) = value.strip_prefix('>') {
        (">", r)
    } else if let Some(r) = value.strip_prefix('<') {
        ("<", r)
    } else {
        ("=", value)
    };
    let (start, end) = point(rest)?;
    Ok(match op {
        ">=" => TimeRange {
            from: Some(start),
            until: None,
        },
        ">" => TimeRange {
            from: Some(end),
            until: None,
        },
        "<=" => TimeRange {
            from: None,
            until: Some(end),
        },
        "<" => TimeRange {
            from: None,
            until: Some(start),
        },
        _ => TimeRange {
            from: Some(start),
            until: Some(end),
        },
    })
}
