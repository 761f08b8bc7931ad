//! The rate limiter's memory, in a test binary of its own: it counts the heap bytes its one
//! test holds, which no other test may disturb (the unit tests run in parallel threads of one
//! process, so the resident set they share once failed this bound on a CI run with 19 MiB
//! that were not the limiter's).

use plaudit::abuse::{ClientKey, RateLimits, Verdict};
use plaudit::config::AbuseSettings;
use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The system allocator, counting the bytes live at any moment.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CLIENTS: u32 = 1_000_000;
const MIB: usize = 1024 * 1024;
/// What one tracked client may cost on the heap.
const MAX_BYTES_PER_CLIENT: usize = 200;

fn settings(per_minute: u32, burst: u32) -> AbuseSettings {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        abuse: AbuseSettings,
    }
    let (per_minute, burst) = (per_minute.to_string(), burst.to_string());
    Wrapper::parse_from([
        "plaudit",
        "--writes-per-minute",
        &per_minute,
        "--writes-burst",
        &burst,
        "--reads-per-minute",
        &per_minute,
        "--reads-burst",
        &burst,
    ])
    .abuse
}

/// A million distinct addresses are all forgotten once their quota has refilled, so the
/// limiter's memory is bounded by the clients of one refill period, not by all ever seen.
/// Without `shrink_to_fit` in `sweep` the emptied tables keep their memory and the last bound
/// fails.
#[test]
fn a_million_clients_are_swept_away() {
    // 60,000 per minute with a burst of 1 refills in 1 ms.
    let limits = RateLimits::new(&settings(60_000, 1));
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..CLIENTS {
        let key = ClientKey::of(IpAddr::V4(Ipv4Addr::from(n)));
        let verdict = limits.writes.local_verdict(&key);
        assert!(matches!(verdict, Verdict::Allow { .. }), "{verdict:?}");
    }
    assert_eq!(limits.writes.tracked_clients(), CLIENTS as usize);
    let filled = LIVE.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(20));
    limits.sweep();
    assert_eq!(limits.writes.tracked_clients(), 0);
    let swept = LIVE.load(Ordering::Relaxed);

    let taken = filled.saturating_sub(before);
    let kept = swept.saturating_sub(before);
    eprintln!(
        "limiter: {CLIENTS} clients took {} MiB of heap ({} bytes each); after the sweep {} KiB \
         remain",
        taken / MIB,
        taken / CLIENTS as usize,
        kept / 1024
    );
    // An IPv4 key and its state take more than 16 bytes: less would mean the count missed them.
    assert!(
        taken >= 16 * CLIENTS as usize,
        "a million clients took only {taken} bytes of heap: not measured"
    );
    assert!(
        taken <= MAX_BYTES_PER_CLIENT * CLIENTS as usize,
        "a tracked client costs {} bytes, over the {MAX_BYTES_PER_CLIENT} allowed",
        taken / CLIENTS as usize
    );
    assert!(
        kept <= MIB,
        "after the sweep {} KiB of the {} MiB the clients took remain; the sweep must give the \
         memory back",
        kept / 1024,
        taken / MIB
    );
}
