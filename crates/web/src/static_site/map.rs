//! The site's pages in batches, in an order that reads every post once per listing.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use syndic_core::{MAX_PAGE, Page, Post, SourceSummary, Tag};
use syndic_store::{PostFilter, PostRef};

use super::{ExportError, SitePath};
use crate::AppState;
use crate::render::{page_path, post_path, revisions_path, source_path, tag_path};

/// Posts read per query while walking a listing (rounded down to whole listing pages).
const CHUNK: u32 = 500;

/// The formats every listing (site, tag, source) publishes a feed in.
const FEEDS: [&str; 3] = ["feed.atom", "feed.rss", "feed.json"];

/// One page of the site: where it goes, and what it shows.
#[derive(Debug, Clone)]
pub struct SitePage {
    pub path: SitePath,
    pub(super) content: Content,
}

/// How a page is rendered.
#[derive(Debug, Clone)]
pub(super) enum Content {
    /// Through the router, as a request.
    Route,
    /// Page `page` of `pages` of a listing, holding `posts[range]`.
    Listing {
        of: Arc<Listed>,
        posts: Arc<[Post]>,
        range: Range<usize>,
        page: u32,
        pages: u32,
    },
    /// The page of `posts[index]`, between its neighbours in the newest-first order.
    Post {
        posts: Arc<[Post]>,
        index: usize,
        newer: Option<PostRef>,
        older: Option<PostRef>,
    },
}

/// Whose listing a page belongs to.
#[derive(Debug)]
pub(super) enum Listed {
    Home,
    Tag(Tag),
    Source(SourceSummary),
}

impl Listed {
    fn filter(&self) -> PostFilter {
        match self {
            Listed::Home => PostFilter::All,
            Listed::Tag(tag) => PostFilter::Tag(tag.id),
            Listed::Source(source) => PostFilter::Source(source.id),
        }
    }

    /// The root-relative path of the listing's first page, ending in `/`.
    fn base(&self) -> String {
        match self {
            Listed::Home => "/".to_owned(),
            Listed::Tag(tag) => tag_path(&tag.slug),
            Listed::Source(source) => source_path(&source.slug),
        }
    }
}

/// A listing being walked, chunk by chunk.
#[derive(Debug)]
struct Walk {
    of: Arc<Listed>,
    /// How many pages the router answers for it (counted as its handler counts).
    pages: u32,
    /// The number of the next chunk to read, from 1.
    next_chunk: u32,
}

/// A post of the newest-posts walk whose older neighbour is not read yet.
#[derive(Debug)]
struct Held {
    posts: Arc<[Post]>,
    index: usize,
    newer: Option<PostRef>,
}

/// Every page of the site that a static server can answer, handed out in batches (see
/// the module documentation of [`crate::static_site`]).
#[derive(Debug)]
pub struct SiteMap {
    /// The first batch, until it is handed out.
    fixed: Vec<SitePath>,
    walks: VecDeque<Walk>,
    held: Option<Held>,
    per_page: u32,
    len: u64,
}

impl SiteMap {
    /// Counts every listing now (one query each); posts are read as
    /// [`SiteMap::next_batch`] reaches them.
    pub async fn read(state: &AppState) -> Result<SiteMap, ExportError> {
        let store = &state.store;
        let mut listings = vec![Listed::Home];
        listings.extend(store.tags().await?.into_iter().map(Listed::Tag));
        listings.extend(store.sources().await?.into_iter().map(Listed::Source));
        let mut fixed: Vec<SitePath> =
            ["/tags/", "/sources/", "/sources.opml", "/static/style.css"]
                .map(|url| SitePath::new(url.to_owned()))
                .into();
        let per_page = state.site.per_page();
        let (mut walks, mut len) = (VecDeque::new(), 0);
        for listed in listings {
            let total = store.count_posts(listed.filter()).await?;
            let pages = Page::count_for(total, per_page).min(MAX_PAGE);
            let base = listed.base();
            fixed.extend(FEEDS.map(|feed| SitePath::new(format!("{base}{feed}"))));
            len += u64::from(pages);
            if matches!(listed, Listed::Home) {
                len += total;
            }
            walks.push_back(Walk {
                of: Arc::new(listed),
                pages,
                next_chunk: 1,
            });
        }
        // A post an upstream edit revised has a revisions page beside its own.
        len += store.count_revised_posts().await?;
        fixed.push(SitePath::not_found());
        len += fixed.len() as u64;
        Ok(SiteMap {
            fixed,
            walks,
            held: None,
            per_page,
            len,
        })
    }

    /// How many pages the map holds in all (as counted when it was made).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the map holds no page at all (never: the indexes are always there).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next batch of pages, or `None` when every page was handed out.
    pub async fn next_batch(
        &mut self,
        state: &AppState,
    ) -> Result<Option<Vec<SitePage>>, ExportError> {
        if !self.fixed.is_empty() {
            let fixed = std::mem::take(&mut self.fixed);
            let route = |path| SitePage {
                path,
                content: Content::Route,
            };
            return Ok(Some(fixed.into_iter().map(route).collect()));
        }
        while let Some(mut walk) = self.walks.pop_front() {
            let (batch, done) = self.step(state, &mut walk).await?;
            if !done {
                self.walks.push_front(walk);
            }
            if !batch.is_empty() {
                return Ok(Some(batch));
            }
        }
        Ok(None)
    }

    /// Reads the walk's next chunk: its listing pages and, for the newest posts, its post
    /// pages. Also says whether the walk is over.
    async fn step(
        &mut self,
        state: &AppState,
        walk: &mut Walk,
    ) -> Result<(Vec<SitePage>, bool), ExportError> {
        let pages_per_chunk = (CHUNK / self.per_page).max(1);
        let per_chunk = pages_per_chunk * self.per_page;
        let home = matches!(*walk.of, Listed::Home);
        let first_page = (walk.next_chunk - 1) * pages_per_chunk + 1;
        let chunk = Page::new(walk.next_chunk, per_chunk);
        let Some(chunk) = chunk.filter(|_| home || first_page <= walk.pages) else {
            return Ok((self.release_held(None), true));
        };
        let posts: Arc<[Post]> = state.store.posts(walk.of.filter(), chunk).await?.into();
        walk.next_chunk += 1;
        let mut batch = Vec::new();
        let base = walk.of.base();
        let last_page = walk.pages.min(first_page + pages_per_chunk - 1);
        for page in first_page..=last_page {
            let start = ((page - first_page) * self.per_page) as usize;
            if start >= posts.len() && page > 1 {
                break;
            }
            let end = (start + self.per_page as usize).min(posts.len());
            batch.push(SitePage {
                path: SitePath::new(page_path(&base, page)),
                content: Content::Listing {
                    of: Arc::clone(&walk.of),
                    posts: Arc::clone(&posts),
                    range: start.min(end)..end,
                    page,
                    pages: walk.pages,
                },
            });
        }
        let done = posts.len() < per_chunk as usize || (!home && last_page >= walk.pages);
        if home {
            batch.extend(revisions_pages(state, &posts).await?);
            batch.extend(self.post_pages(&posts));
            if done {
                batch.extend(self.release_held(None));
            }
        }
        Ok((batch, done))
    }

    /// The pages of a chunk of the newest posts, each between its neighbours. The chunk's
    /// last post is held back until the next chunk names its older neighbour.
    fn post_pages(&mut self, posts: &Arc<[Post]>) -> Vec<SitePage> {
        let Some(first) = posts.first() else {
            return Vec::new();
        };
        let mut newer = self
            .held
            .as_ref()
            .map(|held| reference(&held.posts[held.index]));
        let mut pages = self.release_held(Some(reference(first)));
        for index in 0..posts.len() - 1 {
            let older = Some(reference(&posts[index + 1]));
            pages.push(post_page(posts, index, newer.take(), older));
            newer = Some(reference(&posts[index]));
        }
        self.held = Some(Held {
            posts: Arc::clone(posts),
            index: posts.len() - 1,
            newer,
        });
        pages
    }

    /// The held post's page, now that its older neighbour is known (`None` at the end).
    fn release_held(&mut self, older: Option<PostRef>) -> Vec<SitePage> {
        self.held
            .take()
            .map(|held| post_page(&held.posts, held.index, held.newer, older))
            .into_iter()
            .collect()
    }
}

fn post_page(
    posts: &Arc<[Post]>,
    index: usize,
    newer: Option<PostRef>,
    older: Option<PostRef>,
) -> SitePage {
    SitePage {
        path: SitePath::new(post_path(&posts[index])),
        content: Content::Post {
            posts: Arc::clone(posts),
            index,
            newer,
            older,
        },
    }
}

/// The revisions pages of those of `posts` that an upstream edit revised, rendered
/// through the router as `syndic serve` answers them.
async fn revisions_pages(state: &AppState, posts: &[Post]) -> Result<Vec<SitePage>, ExportError> {
    let ids: Vec<syndic_core::PostId> = posts.iter().map(|post| post.id).collect();
    let revised = state.store.posts_with_revisions(&ids).await?;
    Ok(posts
        .iter()
        .filter(|post| revised.contains(&post.id))
        .map(|post| SitePage {
            path: SitePath::new(revisions_path(&post_path(post))),
            content: Content::Route,
        })
        .collect())
}

fn reference(post: &Post) -> PostRef {
    PostRef {
        id: post.id,
        title: post.title.clone(),
    }
}
