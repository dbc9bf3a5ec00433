//! How a retag walks the store: pages of posts read a page ahead on a thread of their own,
//! and each page's work cut across the tagging threads.

use std::sync::mpsc;

use syndic_core::PostForTagging;

use super::{PostReader, StoreFailure};
use crate::Scratch;

/// One page of posts, or why it could not be read.
pub(super) type Page = Result<Vec<PostForTagging>, StoreFailure>;

/// Runs `consume` over the pages `next` reads from `reader`, each read on a thread of its
/// own while the caller works on the one before (on two cores, reading and decompressing a
/// page no longer leaves the tagging threads idle). The pages end before the first empty
/// one or with the first failure; when `consume` stops early, reading stops too.
pub(super) fn read_ahead<R: PostReader + Send, T>(
    reader: &mut R,
    mut next: impl FnMut(&mut R) -> Page + Send,
    consume: impl FnOnce(&mut dyn Iterator<Item = Page>) -> T,
) -> T {
    std::thread::scope(|scope| {
        let (pages, received) = mpsc::sync_channel::<Page>(1);
        scope.spawn(move || {
            loop {
                let page = next(reader);
                let failed = page.is_err();
                if matches!(&page, Ok(posts) if posts.is_empty())
                    || pages.send(page).is_err()
                    || failed
                {
                    break;
                }
            }
        });
        let mut received = received.into_iter();
        consume(&mut received)
    })
}

/// Runs `work` over `posts` cut into one chunk per scratch, on as many threads; results in
/// chunk order.
pub(super) fn parallel<R: Send>(
    posts: &[PostForTagging],
    scratches: &mut [Scratch],
    work: impl Fn(&[PostForTagging], &mut Scratch) -> R + Sync,
) -> Vec<R> {
    let chunk = posts.len().div_ceil(scratches.len().max(1)).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let workers: Vec<_> = posts
            .chunks(chunk)
            .zip(scratches.iter_mut())
            .map(|(posts, scratch)| scope.spawn(move || work(posts, scratch)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Pages of every post in id order, `size` at a time.
pub(super) fn in_id_order<R: PostReader>(size: u32) -> impl FnMut(&mut R) -> Page + Send {
    let mut after = syndic_core::PostId(0);
    move |reader| {
        let page = reader.posts_after(after, size)?;
        if let Some(last) = page.last() {
            after = last.id;
        }
        Ok(page)
    }
}

/// Pages of the newest `goal` posts, newest first, `size` at a time.
pub(super) fn newest<R: PostReader>(goal: u64, size: u32) -> impl FnMut(&mut R) -> Page + Send {
    let mut before = syndic_core::PostId(i64::MAX);
    let mut left = goal;
    move |reader| {
        if left == 0 {
            return Ok(Vec::new());
        }
        let page = reader.posts_before(before, left.min(u64::from(size)) as u32)?;
        if let Some(last) = page.last() {
            before = last.id;
        }
        left = left.saturating_sub(page.len() as u64);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use syndic_core::{PostId, SourceId};

    use super::*;
    use crate::{CorpusStats, Decisions, SavedTagModel};

    /// Posts 1..=`posts`; fails reading past `fail_after` when set.
    struct Fake {
        posts: i64,
        fail_after: Option<i64>,
        reads: usize,
    }

    fn post(id: i64) -> PostForTagging {
        PostForTagging {
            id: PostId(id),
            source_id: SourceId(1),
            title: String::new(),
            content_text: String::new(),
            categories: Vec::new(),
            language: None,
        }
    }

    fn failure() -> StoreFailure {
        StoreFailure {
            doing: "read posts",
            source: "disk gone".into(),
        }
    }

    impl PostReader for Fake {
        fn count(&mut self) -> Result<u64, StoreFailure> {
            Ok(self.posts as u64)
        }
        fn posts_after(&mut self, after: PostId, limit: u32) -> Page {
            self.reads += 1;
            if self.fail_after.is_some_and(|f| after.0 >= f) {
                return Err(failure());
            }
            Ok((after.0 + 1..=self.posts)
                .take(limit as usize)
                .map(post)
                .collect())
        }
        fn posts_before(&mut self, before: PostId, limit: u32) -> Page {
            self.reads += 1;
            Ok((1..before.0.min(self.posts + 1))
                .rev()
                .take(limit as usize)
                .map(post)
                .collect())
        }
        fn posts_by_id(&mut self, ids: &[PostId]) -> Page {
            Ok(ids.iter().map(|id| post(id.0)).collect())
        }
        fn corpus(&mut self) -> Result<CorpusStats, StoreFailure> {
            Ok(CorpusStats::default())
        }
        fn decisions(&mut self) -> Result<Decisions, StoreFailure> {
            Ok(Decisions::default())
        }
        fn save(&mut self, _: &CorpusStats, _: &[SavedTagModel]) -> Result<(), StoreFailure> {
            Ok(())
        }
    }

    fn ids(pages: &mut dyn Iterator<Item = Page>) -> Vec<Result<Vec<i64>, String>> {
        pages
            .map(|p| {
                p.map(|posts| posts.iter().map(|p| p.id.0).collect())
                    .map_err(|e| e.to_string())
            })
            .collect()
    }

    #[test]
    fn pages_read_ahead_arrive_in_order_and_end_before_the_empty_one() {
        let mut reader = Fake {
            posts: 5,
            fail_after: None,
            reads: 0,
        };
        let pages = read_ahead(&mut reader, in_id_order(2), ids);
        assert_eq!(pages, [Ok(vec![1, 2]), Ok(vec![3, 4]), Ok(vec![5])]);
        let newest_three = read_ahead(&mut reader, newest(3, 2), ids);
        assert_eq!(newest_three, [Ok(vec![5, 4]), Ok(vec![3])]);
    }

    #[test]
    fn a_failed_page_is_handed_over_and_ends_the_reading() {
        let mut reader = Fake {
            posts: 10,
            fail_after: Some(2),
            reads: 0,
        };
        let pages = read_ahead(&mut reader, in_id_order(2), ids);
        assert_eq!(pages, [Ok(vec![1, 2]), Err("cannot read posts".into())]);
        assert_eq!(reader.reads, 2);
    }

    #[test]
    fn reading_stops_when_the_caller_stops() {
        let mut reader = Fake {
            posts: 1_000,
            fail_after: None,
            reads: 0,
        };
        let first = read_ahead(&mut reader, in_id_order(1), |pages| pages.next());
        assert!(matches!(first, Some(Ok(ref p)) if p[0].id == PostId(1)));
        assert!(reader.reads <= 3, "read {} pages", reader.reads);
    }
}
