//! Pure side (no connection): the duration estimate's arithmetic. A straight line
//! `fixed + per_row × rows` is fitted by least squares through runs timed on generated rows,
//! and read at the size asked for. A straight line because what grows with a table in a
//! revision is copying it (a rebuild), reading it (an index build, a backfill) or both, and
//! those are linear or, for the sort of an index, close to it over a factor of ten; how far the
//! runs sit from the line, and how far beyond them the estimate reaches, say how far to trust it.

use super::report::{Estimate, Sample};

/// The larger table an estimate is for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Size {
    /// This many rows in each table the revision touches.
    Rows(u64),
    /// This many times the rows each table the revision touches has now.
    Scale(f64),
}

/// How far beyond the largest run an estimate is still called good to about ±50% (the
/// benchmark in docs/benchmarks.md checks 10×).
pub const TRUSTED_REACH: f64 = 16.0;

/// Fits `fixed + per_row × rows` through the samples: `(fixed, per_row, worst)`, where `worst`
/// is the largest relative distance of a sample from the line. Least squares weighted by each
/// sample's rows: the small runs are mostly fixed costs and timer noise (a commit's flush),
/// the large ones are what the estimate extrapolates from. `None` with fewer than two sizes.
/// A negative intercept (noise at small sizes) is taken as zero and the slope fitted through
/// the origin, so the line never predicts less than nothing.
pub fn fit(samples: &[Sample]) -> Option<(f64, f64, f64)> {
    let sizes: std::collections::BTreeSet<u64> = samples.iter().map(|s| s.rows).collect();
    if sizes.len() < 2 {
        return None;
    }
    let w = |s: &Sample| s.rows.max(1) as f64;
    let total: f64 = samples.iter().map(w).sum();
    let mx = samples.iter().map(|s| w(s) * s.rows as f64).sum::<f64>() / total;
    let my = samples.iter().map(|s| w(s) * s.millis).sum::<f64>() / total;
    let sxy: f64 = samples.iter().map(|s| w(s) * (s.rows as f64 - mx) * (s.millis - my)).sum();
    let sxx: f64 = samples.iter().map(|s| w(s) * (s.rows as f64 - mx).powi(2)).sum();
    let mut slope = sxy / sxx;
    let mut fixed = my - slope * mx;
    if fixed < 0.0 || slope < 0.0 {
        let sxy0: f64 = samples.iter().map(|s| w(s) * s.rows as f64 * s.millis).sum();
        let sxx0: f64 = samples.iter().map(|s| w(s) * (s.rows as f64).powi(2)).sum();
        fixed = 0.0;
        slope = (sxy0 / sxx0).max(0.0);
    }
    let worst = samples.iter().map(|s| ((fixed + slope * s.rows as f64) - s.millis).abs() / s.millis.max(1e-6)).fold(0.0, f64::max);
    Some((fixed, slope, worst))
}

/// The estimate for `rows` (per table of `tables`; the largest one is what the line is read
/// at), with the sentence that says how it was measured and how far to trust it.
pub fn estimate(tables: Vec<String>, rows: Vec<u64>, samples: Vec<Sample>) -> Option<Estimate> {
    let (fixed, per_row, worst) = fit(&samples)?;
    let target = rows.iter().copied().max().unwrap_or(0);
    let largest = samples.iter().map(|s| s.rows).max().unwrap_or(1).max(1);
    let reach = target as f64 / largest as f64;
    let sizes: Vec<String> = samples.iter().map(|s| crate::loss::thousands(s.rows)).collect();
    let mut trust = format!(
        "timed on generated rows of the same columns (values of the same types and lengths, not the real ones) at {} rows; a straight line fits those runs within {:.0}%",
        sizes.join(", "),
        worst * 100.0
    );
    if reach <= 1.0 {
        trust.push_str("; the size asked for lies within the runs, so expect it within about ±25% on the same disk");
    } else if reach <= TRUSTED_REACH && worst <= 0.25 {
        trust.push_str(&format!("; it reaches {reach:.1}× beyond the largest run, so expect it within about ±50% on the same disk"));
    } else {
        trust.push_str(&format!("; it reaches {reach:.1}× beyond the largest run, so take it as the order of magnitude only"));
    }
    trust.push_str(" (a busier or slower server takes longer)");
    Some(Estimate { tables, rows, millis: fixed + per_row * target as f64, samples, fixed_ms: fixed, per_row_ms: per_row, worst_fit: worst, reach, trust })
}

/// The sizes to time for an estimate at `target` rows: ×4 apart from 1,000 up to a third of
/// the target, at least three (smaller ones, down to the target itself, when the target is
/// small). The caller stops early when a run takes too long.
pub fn sizes(target: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut n = 1000u64;
    while n <= target / 3 {
        out.push(n);
        n = n.saturating_mul(4);
    }
    if out.len() < 3 {
        out = [target / 16, target / 4, target].into_iter().map(|n| n.max(1)).collect();
        out.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(rows: u64, millis: f64) -> Sample {
        Sample { rows, millis }
    }

    #[test]
    fn a_line_through_linear_runs_is_read_at_the_size_asked_for() {
        let e = estimate(vec!["items".into()], vec![1_000_000], vec![s(1000, 3.0), s(4000, 9.0), s(16000, 33.0)]).unwrap();
        assert!((e.per_row_ms - 0.002).abs() < 1e-9 && (e.fixed_ms - 1.0).abs() < 1e-6, "{e:?}");
        assert!((e.millis - 2001.0).abs() < 1e-3, "{}", e.millis);
        assert!(e.worst_fit < 1e-9);
        assert_eq!(e.reach, 62.5);
        assert!(e.trust.contains("1,000, 4,000, 16,000 rows") && e.trust.contains("order of magnitude only"), "{}", e.trust);
        let near = estimate(vec!["items".into()], vec![160_000], vec![s(1000, 3.0), s(4000, 9.0), s(16000, 33.0)]).unwrap();
        assert!(near.trust.contains("10.0× beyond the largest run, so expect it within about ±50%"), "{}", near.trust);
    }

    #[test]
    fn noise_never_gives_a_negative_time_and_one_size_gives_no_line() {
        let (fixed, slope, _) = fit(&[s(1000, 5.0), s(2000, 4.0)]).unwrap();
        assert!(fixed >= 0.0 && slope >= 0.0, "{fixed} {slope}");
        let (fixed, slope, _) = fit(&[s(1000, 1.0), s(2000, 5.0)]).unwrap();
        assert!(fixed == 0.0 && slope > 0.0, "{fixed} {slope}");
        // A slow small run (a flush that took long) barely moves the line of the large ones.
        let (_, slope, _) = fit(&[s(1000, 40.0), s(16000, 32.0), s(64000, 128.0), s(256000, 512.0)]).unwrap();
        assert!((slope - 0.002).abs() < 0.0002, "{slope}");
        assert!(fit(&[s(1000, 1.0), s(1000, 2.0)]).is_none());
    }

    #[test]
    fn sizes_grow_by_four_up_to_a_third_of_the_target() {
        assert_eq!(sizes(1_000_000), [1000, 4000, 16000, 64000, 256000]);
        assert_eq!(sizes(40_000), [2500, 10000, 40000]);
        assert_eq!(sizes(48_000), [1000, 4000, 16000]);
        assert_eq!(sizes(100), [6, 25, 100]);
        assert_eq!(sizes(20_000), [1250, 5000, 20000]);
        assert_eq!(sizes(1), [1]);
    }
}
