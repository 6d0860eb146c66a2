//! `narvar orders import` and `export`: streamed, concurrent, memory flat with input size.

use crate::{Failure, Outcome};
use futures_util::StreamExt as _;
use narvar::models::OrderInfo;
use narvar::{Client, NarvarError};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::io::AsyncBufReadExt as _;

/// The key a failures file adds to each line; stripped when the file is imported again.
const ERROR_KEY: &str = "_narvar_error";

fn progress(total_hint: Option<u64>) -> indicatif::ProgressBar {
    // Hidden when stderr is not a terminal (pipes, CI).
    let bar = match total_hint {
        Some(n) => indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr()),
        None => indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr()),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} orders, {per_sec} {msg} [{elapsed_precise}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar
}

async fn lines(path: &Path) -> Outcome<tokio::io::Lines<tokio::io::BufReader<tokio::fs::File>>> {
    let f = tokio::fs::File::open(path).await.map_err(|e| Failure::new(format!("cannot open {}: {e}", path.display())))?;
    Ok(tokio::io::BufReader::with_capacity(64 * 1024, f).lines())
}

/// One line of an import: parsed (an order, or the error that stops it being one).
fn parse_line(line: &str) -> Result<(Value, OrderInfo), (Value, NarvarError)> {
    let mut value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            let err = NarvarError::validation(vec![narvar::FieldError::new(
                "line",
                "json",
                format!("invalid JSON at column {}: {e}", e.column()),
            )]);
            return Err((json!({"_narvar_raw": line}), err));
        }
    };
    if let Some(o) = value.as_object_mut() {
        o.remove(ERROR_KEY);
    }
    // A line may be the order itself or `{"order_info": {...}}`.
    let order_json = value.get("order_info").cloned().unwrap_or_else(|| value.clone());
    match narvar::core::ops::decode_input_value::<OrderInfo>(&order_json) {
        Ok(o) => Ok((value, o)),
        Err(e) => Err((value, e)),
    }
}

pub async fn import(client: &Client, file: &Path, concurrency: usize, failures: Option<PathBuf>, json_output: bool) -> Outcome {
    let started = Instant::now();
    let failures_path = failures.unwrap_or_else(|| file.with_extension("failures.jsonl"));
    let mut failures_out: Option<std::io::BufWriter<std::fs::File>> = None;
    let bar = progress(None);
    let (mut ok, mut failed) = (0u64, 0u64);
    let reader = lines(file).await?;
    let numbered = futures_util::stream::unfold((reader, 0u64), |(mut r, n)| async move {
        match r.next_line().await {
            Ok(Some(line)) => Some((Ok((n + 1, line)), (r, n + 1))),
            Ok(None) => None,
            Err(e) => Some((Err(e), (r, n + 1))),
        }
    });
    let results = numbered
        .filter_map(|l| async move {
            match l {
                Ok((_, line)) if line.trim().is_empty() => None,
                other => Some(other),
            }
        })
        .map(|l| async move {
            let (n, line) = l.map_err(|e| Failure::new(format!("cannot read: {e}")))?;
            Ok::<_, Failure>(match parse_line(&line) {
                Ok((value, order)) => (n, value, client.orders().create(order).await.map(|_| ())),
                Err((value, e)) => (n, value, Err(e)),
            })
        })
        .buffer_unordered(concurrency.max(1));
    let mut results = std::pin::pin!(results);
    while let Some(r) = results.next().await {
        let (line_no, value, result) = r?;
        match result {
            Ok(()) => ok += 1,
            Err(e) => {
                failed += 1;
                let out = match &mut failures_out {
                    Some(f) => f,
                    None => {
                        let f = std::fs::File::create(&failures_path)
                            .map_err(|e| Failure::new(format!("cannot write {}: {e}", failures_path.display())))?;
                        failures_out.insert(std::io::BufWriter::new(f))
                    }
                };
                let mut v = value;
                let err = json!({"line": line_no, "code": e.code.as_str(), "message": e.message, "field_errors": e.field_errors, "request_id": e.meta.request_id});
                match v.as_object_mut() {
                    Some(o) => {
                        o.insert(ERROR_KEY.into(), err);
                    }
                    None => v = json!({"_narvar_raw": v, ERROR_KEY: err}),
                }
                writeln!(out, "{v}").map_err(|e| Failure::new(format!("cannot write failures: {e}")))?;
            }
        }
        bar.inc(1);
        bar.set_message(format!("({failed} failed)"));
    }
    bar.finish_and_clear();
    if let Some(mut f) = failures_out {
        f.flush().map_err(|e| Failure::new(format!("cannot write failures: {e}")))?;
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = (ok + failed) as f64 / secs.max(1e-9);
    if json_output {
        println!(
            "{}",
            json!({"imported": ok, "failed": failed, "seconds": secs, "orders_per_second": rate,
            "failures_file": (failed > 0).then(|| failures_path.display().to_string())})
        );
    } else {
        println!("imported {ok} orders, {failed} failed, in {secs:.1} s ({rate:.0} orders/s)");
        if failed > 0 {
            println!("failures (re-importable as they are): {}", failures_path.display());
        }
    }
    if failed > 0 {
        return Err(Failure { message: format!("{failed} order(s) failed; see {}", failures_path.display()), code: 1 });
    }
    Ok(())
}

fn csv_row(o: &OrderInfo) -> [String; 8] {
    let units: i64 = o.order_items.iter().filter_map(|i| i.quantity.map(|q| q.get())).sum();
    [
        o.order_number.clone(),
        o.order_date.clone().unwrap_or_default(),
        o.currency_code.clone().unwrap_or_default(),
        o.order_items.len().to_string(),
        units.to_string(),
        o.shipments.len().to_string(),
        o.customer.as_ref().and_then(|c| c.email.clone()).unwrap_or_default(),
        o.shipments.iter().filter_map(|s| s.tracking_number.clone()).collect::<Vec<_>>().join(" "),
    ]
}

pub async fn export(client: &Client, numbers: &Path, out: &Path, concurrency: usize, json_output: bool) -> Outcome {
    let started = Instant::now();
    let as_csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let file = std::fs::File::create(out).map_err(|e| Failure::new(format!("cannot write {}: {e}", out.display())))?;
    let (mut jsonl, mut csv) =
        if as_csv { (None, Some(csv::Writer::from_writer(file))) } else { (Some(std::io::BufWriter::new(file)), None) };
    if let Some(w) = &mut csv {
        w.write_record([
            "order_number",
            "order_date",
            "currency_code",
            "items",
            "units",
            "shipments",
            "customer_email",
            "tracking_numbers",
        ])
        .map_err(|e| Failure::new(e.to_string()))?;
    }
    let reader = lines(numbers).await?;
    let numbered = futures_util::stream::unfold(reader, |mut r| async move {
        match r.next_line().await {
            Ok(Some(line)) => Some((Some(line), r)),
            _ => None,
        }
    });
    let bar = progress(None);
    let mut tally = narvar::core::export::ExportTally::default();
    let results = numbered
        .filter_map(|l| async move { l.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) })
        .map(|n| async move { (n.clone(), client.orders().get(&n).await) })
        .buffered(concurrency.max(1)); // keeps the input's order
    let mut results = std::pin::pin!(results);
    while let Some((n, r)) = results.next().await {
        tally.record(&n, r.as_ref().map(|_| ()));
        match r {
            Ok(o) => {
                if let Some(w) = &mut jsonl {
                    writeln!(w, "{}", serde_json::to_string(&o.value).unwrap_or_default())
                        .map_err(|e| Failure::new(e.to_string()))?;
                }
                if let Some(w) = &mut csv {
                    w.write_record(csv_row(&o.value)).map_err(|e| Failure::new(e.to_string()))?;
                }
            }
            Err(e) => bar.suspend(|| eprintln!("{n}: {} ({})", crate::one_safe_line(&e.message), e.code)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(mut w) = jsonl {
        w.flush().map_err(|e| Failure::new(e.to_string()))?;
    }
    if let Some(mut w) = csv {
        w.flush().map_err(|e| Failure::new(e.to_string()))?;
    }
    let secs = started.elapsed().as_secs_f64();
    let (ok, failed) = (tally.exported, tally.missing.len() + tally.failed.len());
    if json_output {
        println!("{}", json!({"exported": ok, "failed": failed, "seconds": secs, "out": out.display().to_string()}));
    } else {
        println!("exported {ok} orders to {} ({failed} failed) in {secs:.1} s", out.display());
    }
    tally.finish().map(|_| ()).map_err(|e| Failure { message: e.message, code: 1 })
}
