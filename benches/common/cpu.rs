//! CPU seconds of processes, from `/proc` (Linux): this process's waited-for children, and
//! any process by id.

/// USER_HZ: 100 on every Linux port that matters.
const TICKS_PER_SECOND: f64 = 100.0;

/// The fields of `/proc/PID/stat` after the command name (which is in parentheses and may
/// hold spaces): field 3 of the whole line is the first.
fn stat_fields(pid: &str) -> Option<Vec<u64>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    Some(
        rest.split_whitespace()
            .map(|field| field.parse().unwrap_or(0))
            .collect(),
    )
}

/// Waited-for children's CPU seconds so far (cutime + cstime of /proc/self/stat).
pub fn children_cpu() -> Option<f64> {
    let fields = stat_fields("self")?;
    // cutime and cstime are fields 16 and 17 of the whole line: 13 and 14 after the name.
    Some((fields.get(13)? + fields.get(14)?) as f64 / TICKS_PER_SECOND)
}

/// The CPU seconds (user + system) process `pid` has used so far; `None` once it is gone.
#[allow(dead_code)] // the engines benchmark reads the PostgreSQL server's processes
pub fn process_cpu(pid: u32) -> Option<f64> {
    let fields = stat_fields(&pid.to_string())?;
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    Some((fields.get(11)? + fields.get(12)?) as f64 / TICKS_PER_SECOND)
}
