//! A list cursor: the selected row and the first row shown, kept inside the list and the
//! viewport.

/// A cursor over a list of `len` rows with a scroll offset, for a viewport of `height` rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    pub(super) fn moved(self, delta: isize, len: usize, height: usize) -> Cursor {
        let last = len.saturating_sub(1);
        let selected = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        Cursor {
            selected,
            offset: self.offset,
        }
        .scrolled(len, height)
    }

    pub(super) fn to(self, row: usize, len: usize, height: usize) -> Cursor {
        Cursor {
            selected: row.min(len.saturating_sub(1)),
            offset: self.offset,
        }
        .scrolled(len, height)
    }

    /// The first row a view of `height` rows shows so that the selection is on screen, whatever
    /// height the view was drawn at when the cursor last moved.
    pub fn first_shown(self, height: usize) -> usize {
        self.offset
            .min(self.selected)
            .max((self.selected + 1).saturating_sub(height))
    }

    /// Keeps the selection inside the viewport.
    pub(super) fn scrolled(mut self, len: usize, height: usize) -> Cursor {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_in_the_list_and_the_viewport() {
        let top = Cursor::default();
        // Up from the first row stays there; down past the end stops at the last row.
        assert_eq!(top.moved(-1, 10, 4), top);
        let bottom = top.moved(100, 10, 4);
        assert_eq!(
            bottom,
            Cursor {
                selected: 9,
                offset: 6
            }
        );
        // Paging up by the viewport shows the selection at the top of it.
        assert_eq!(
            bottom.moved(-4, 10, 4),
            Cursor {
                selected: 5,
                offset: 5
            }
        );
        // An empty list keeps the cursor at 0.
        assert_eq!(top.moved(3, 0, 4), top);
    }

    #[test]
    fn jumps_and_resizes_keep_the_selection_visible() {
        let cursor = Cursor::default().to(25, 30, 10);
        assert_eq!(
            cursor,
            Cursor {
                selected: 25,
                offset: 16
            }
        );
        // The viewport shrinks: the offset follows the selection.
        assert_eq!(
            cursor.scrolled(30, 3),
            Cursor {
                selected: 25,
                offset: 23
            }
        );
        // It grows past the list's end: no blank rows below the last one.
        assert_eq!(
            cursor.scrolled(30, 28),
            Cursor {
                selected: 25,
                offset: 2
            }
        );
        // A jump past the end lands on the last row.
        assert_eq!(Cursor::default().to(99, 5, 10).selected, 4);
    }
}
