//! Peak resident set size of the current process, from `/proc/self/status`.

/// `VmHWM` (the peak resident set size) of this process in KiB; `None` where `/proc` is
/// missing (not Linux) or unreadable.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kib(&status, "VmHWM:")
}

/// `VmRSS` (the current resident set size) of this process in KiB.
pub fn current_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kib(&status, "VmRSS:")
}

fn parse_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let value = line.get(key.len()..)?.trim();
    value
        .strip_suffix("kB")
        .unwrap_or(value)
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_status_lines() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    4321 kB\nVmRSS:\t  1234 kB\n";
        assert_eq!(parse_kib(status, "VmHWM:"), Some(4321));
        assert_eq!(parse_kib(status, "VmRSS:"), Some(1234));
        assert_eq!(parse_kib("VmHWM:\tlots kB\n", "VmHWM:"), None);
        assert_eq!(parse_kib("", "VmHWM:"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_peak_at_least_its_current_size() {
        // One snapshot: two reads would race with the process growing in between (the
        // kernel reports VmHWM as at least VmRSS within one read).
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let peak = parse_kib(&status, "VmHWM:").unwrap();
        let now = parse_kib(&status, "VmRSS:").unwrap();
        assert!(peak >= now && now > 0, "peak {peak} now {now}");
        assert!(peak_rss_kib().is_some() && current_rss_kib().is_some());
    }
}
