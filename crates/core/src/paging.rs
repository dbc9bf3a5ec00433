use serde::Serialize;

/// Highest page number any listing accepts; larger requests are refused, not computed.
pub const MAX_PAGE: u32 = 100_000;

/// One page of a newest-first listing, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    pub number: u32,
    pub per_page: u32,
}

impl Page {
    /// Page `number` (1-based) of `per_page` items. `None` when the number is 0 or above
    /// [`MAX_PAGE`], or `per_page` is 0.
    pub fn new(number: u32, per_page: u32) -> Option<Page> {
        ((1..=MAX_PAGE).contains(&number) && per_page > 0).then_some(Page { number, per_page })
    }

    pub fn offset(self) -> u64 {
        u64::from(self.number - 1) * u64::from(self.per_page)
    }

    pub fn limit(self) -> u64 {
        u64::from(self.per_page)
    }

    /// How many pages `total` items fill (at least one, so an empty listing has page 1).
    pub fn count_for(total: u64, per_page: u32) -> u32 {
        let per = u64::from(per_page.max(1));
        u32::try_from(total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_zero_and_huge_pages_are_refused() {
        assert_eq!(Page::new(0, 10), None);
        assert_eq!(Page::new(MAX_PAGE + 1, 10), None);
        assert_eq!(Page::new(1, 0), None);
    }

    #[test]
    fn offsets_follow_page_numbers() {
        let page = Page::new(3, 10).expect("valid page");
        assert_eq!((page.offset(), page.limit()), (20, 10));
    }

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        assert_eq!(Page::count_for(0, 10), 1);
        assert_eq!(Page::count_for(10, 10), 1);
        assert_eq!(Page::count_for(11, 10), 2);
    }
}
