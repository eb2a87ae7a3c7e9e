//! Hit latency of quick_cache vs moka with token-sized keys, 1 and 2 threads, interleaved rounds.
use std::sync::Arc;
use std::time::Instant;

const N: usize = 1000;
const ITERS: usize = 2_000_000;

fn keys() -> Vec<Box<str>> {
    (0..N).map(|i| format!("{i:0>600}").into_boxed_str()).collect()
}

fn run<F: Fn(&str) -> bool + Sync>(keys: &[Box<str>], threads: usize, get: F) -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let get = &get;
            s.spawn(move || {
                let mut hits = 0usize;
                for i in 0..ITERS {
                    if get(&keys[(i * 7 + t) % N]) { hits += 1; }
                }
                assert_eq!(hits, ITERS);
            });
        }
    });
    start.elapsed().as_nanos() as f64 / ITERS as f64
}

fn main() {
    let keys = keys();
    let qc: quick_cache::sync::Cache<Box<str>, Arc<u64>> = quick_cache::sync::Cache::new(10_000);
    let mk: moka::sync::Cache<Box<str>, Arc<u64>> = moka::sync::Cache::new(10_000);
    for (i, k) in keys.iter().enumerate() {
        qc.insert(k.clone(), Arc::new(i as u64));
        mk.insert(k.clone(), Arc::new(i as u64));
    }
    mk.run_pending_tasks();
    for threads in [1, 2] {
        let mut q = Vec::new();
        let mut m = Vec::new();
        for _ in 0..5 {
            q.push(run(&keys, threads, |k| qc.get(k).is_some()));
            m.push(run(&keys, threads, |k| mk.get(k).is_some()));
        }
        q.sort_by(f64::total_cmp);
        m.sort_by(f64::total_cmp);
        println!("{threads} thread(s): median ns per hit (per thread): quick_cache {:.0}, moka {:.0}", q[2], m[2]);
    }
}
