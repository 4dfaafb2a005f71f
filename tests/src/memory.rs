//! This process's memory, for the benchmarks: a figure to record, never a
//! test assertion (it depends on the allocator, the machine and what else
//! ran in the process).

/// One reading of this process's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now, in KiB (`VmRSS`).
    pub resident_kib: u64,
    /// The largest resident set size so far, in KiB (`VmHWM`).
    pub peak_kib: u64,
}

/// This process's memory now, read from `/proc/self/status`; `None` where
/// that file does not exist or lacks the fields (any system but Linux).
pub fn memory() -> Option<Memory> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    Some(Memory {
        resident_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}

/// `reading` for a report line: `"12345 KiB"`, or `"not measured"`.
pub fn resident(reading: Option<Memory>) -> String {
    reading.map_or_else(
        || "not measured".to_string(),
        |m| format!("{} KiB", m.resident_kib),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn linux_gives_a_reading_that_grows_with_touched_memory() {
        let before = memory().expect("a reading on Linux");
        assert!(before.resident_kib > 0 && before.peak_kib >= before.resident_kib);
        // 64 MiB written page by page is resident until dropped.
        let block = vec![1u8; 64 << 20];
        let during = memory().unwrap();
        assert!(
            during.resident_kib >= before.resident_kib + (32 << 10),
            "{before:?} -> {during:?}"
        );
        assert_eq!(std::hint::black_box(&block)[12345], 1);
    }

    #[test]
    fn a_missing_reading_is_reported_as_such() {
        assert_eq!(resident(None), "not measured");
        let m = Memory {
            resident_kib: 7,
            peak_kib: 9,
        };
        assert_eq!(resident(Some(m)), "7 KiB");
    }
}
