//! A post's text and sanitized HTML, stored once as one blob (the `body` column).
//!
//! The text comes first, then the HTML, so that a reader of the text alone (retag, the
//! search indexer, snippets) stops decompressing where the HTML begins. The HTML is
//! mostly the text's words again, so compressing both together costs little more than
//! the HTML alone (about 11 % on the benchmark corpus).
//!
//! Layout: one format byte, then the payload `[text length, LEB128][text][html]`:
//! - [`PLAIN`] (0): the payload as it is, for bodies too small to gain from compression
//!   (and the column's default, `X'0000'`: an empty text and HTML);
//! - [`ZSTD`] (1): the payload as one zstd frame ([`LEVEL`]), with its size in the header;
//! - [`ZSTD_DICTIONARY`] (2): the id of a dictionary trained on the store's own bodies
//!   (8 bytes, little-endian; `dictionary.rs`, migration 27), then the payload as one zstd
//!   frame made with it. The indexing pass trains one and rewrites older bodies with it
//!   (`upkeep.rs`); bodies of format 1 stay readable as they are.
//!
//! Reading a body also writes its cached-image addresses as `/media/<hash>`
//! ([`syndic_core::media::exact_media_addresses`]): posts stored while the media cache
//! wrote `/media/<hash>.<ext>` are read as new ones are written, without rewriting every
//! stored body (and its revisions) in a migration.
//!
//! Only this module reads or writes the layout; the rest of the store and the workspace
//! see `Post { content_html, content_text, .. }`.

pub(crate) mod convert;
pub(crate) mod dictionary;
pub(crate) mod upkeep;

use std::cell::RefCell;
use std::io::Read;
use zstd::stream::read::Decoder;
use zstd::zstd_safe::DCtx;

use crate::{Result, StoreError};

/// The payload follows as it is.
pub(crate) const PLAIN: u8 = 0;
/// The payload follows as one zstd frame.
pub(crate) const ZSTD: u8 = 1;
/// A dictionary's id, then the payload as one zstd frame made with that dictionary.
pub(crate) const ZSTD_DICTIONARY: u8 = 2;

/// zstd's level: 3 (its default) compresses the engines bench's posts 3.9 to 1, and
/// gen_corpus.py's word salad about 2 to 1 (the size bench), at a few hundred MB/s per
/// core; higher levels gain 1 to 3 % for 2 to 90 times the time.
pub(crate) const LEVEL: i32 = 3;

/// Payloads shorter than this are stored plain: a zstd frame's header would eat the gain.
const SMALLEST_COMPRESSED: usize = 64;

/// A decompressed payload larger than this is taken for corruption, not allocated.
const LARGEST_PAYLOAD: u64 = 1 << 30;

thread_local! {
    /// One compression context per thread, reused: making one costs more than compressing
    /// a small post.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    /// The same with a dictionary (its id beside it).
    static DICTIONARY_COMPRESSOR: RefCell<Option<(i64, zstd::bulk::Compressor<'static>)>> =
        const { RefCell::new(None) };
    /// And one decompression context, for every read of a body: making one (zeroing its
    /// tables, allocating its buffers) cost more than decompressing a post's text, and took
    /// a sixth of a retag's CPU on the thread that reads the posts.
    static DECOMPRESSOR: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
}

/// Runs CPU work (compressing or decompressing many bodies) where it stalls no other task:
/// on a multi-threaded runtime the worker thread hands its other tasks over first
/// (`block_in_place`); elsewhere (a current-thread runtime, as in tests) it just runs.
pub(crate) fn off_async<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// The blob for a post's `text` and `html`, without a dictionary.
pub(crate) fn encode(text: &str, html: &str) -> Vec<u8> {
    encode_with(text, html, None)
}

/// The blob for a post's `text` and `html`, made with `dictionary` when there is one (the
/// store's [`dictionary::Dictionaries::current`]).
pub(crate) fn encode_with(
    text: &str,
    html: &str,
    dictionary: Option<&'static dictionary::Dictionary>,
) -> Vec<u8> {
    let mut payload = Vec::with_capacity(10 + text.len() + html.len());
    push_length(&mut payload, text.len() as u64);
    payload.extend_from_slice(text.as_bytes());
    payload.extend_from_slice(html.as_bytes());
    encode_payload(payload, dictionary)
}

/// The blob for a `payload` laid out as above.
pub(crate) fn encode_payload(
    mut payload: Vec<u8>,
    dictionary: Option<&'static dictionary::Dictionary>,
) -> Vec<u8> {
    if payload.len() >= SMALLEST_COMPRESSED {
        let (head, compressed) = match dictionary {
            Some(dictionary) => {
                let mut head = vec![ZSTD_DICTIONARY];
                head.extend_from_slice(&dictionary.id.to_le_bytes());
                (head, compress_with(&payload, dictionary))
            }
            None => (vec![ZSTD], compress(&payload)),
        };
        if let Some(compressed) = compressed
            && compressed.len() + head.len() < payload.len()
        {
            let mut blob = head;
            blob.extend_from_slice(&compressed);
            return blob;
        }
    }
    payload.insert(0, PLAIN);
    payload
}

/// Compresses with `dictionary`, through this thread's compressor for it.
fn compress_with(payload: &[u8], dictionary: &'static dictionary::Dictionary) -> Option<Vec<u8>> {
    DICTIONARY_COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(id, _)| *id != dictionary.id) {
            let mut compressor =
                zstd::bulk::Compressor::with_prepared_dictionary(&dictionary.encoder).ok()?;
            // The body names its dictionary already: the frame need not (4 bytes a post).
            compressor
                .set_parameter(zstd::zstd_safe::CParameter::DictIdFlag(false))
                .ok()?;
            *slot = Some((dictionary.id, compressor));
        }
        slot.as_mut()?.1.compress(payload).ok()
    })
}

fn compress(payload: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::new(LEVEL).ok();
        }
        // Room for the frame in front: `compress` into a buffer one byte larger would
        // shift it afterwards anyway.
        slot.as_mut()?.compress(payload).ok()
    })
}

/// A post's text and HTML, from its blob. `post` names it in errors.
pub(crate) fn decode(blob: &[u8], post: i64) -> Result<(String, String)> {
    let payload = payload(blob, post)?;
    let (text_len, start) = read_length(&payload).ok_or_else(|| corrupt(post, "no text length"))?;
    let text_end = usize::try_from(text_len)
        .ok()
        .and_then(|len| start.checked_add(len))
        .filter(|end| *end <= payload.len())
        .ok_or_else(|| corrupt(post, "the text length is past the end"))?;
    let text = std::str::from_utf8(&payload[start..text_end])
        .map_err(|_| corrupt(post, "the text is not UTF-8"))?
        .to_owned();
    let html = std::str::from_utf8(&payload[text_end..])
        .map_err(|_| corrupt(post, "the HTML is not UTF-8"))?;
    // Bodies stored while the media cache wrote `/media/<hash>.<ext>` read back with the
    // one address pages, feeds and exports use, `/media/<hash>`.
    let html = syndic_core::media::exact_media_addresses(html).into_owned();
    Ok((text, html))
}

/// A post's text alone, decompressing no further than its end.
pub(crate) fn decode_text(blob: &[u8], post: i64) -> Result<String> {
    let Some((&format, rest)) = blob.split_first() else {
        return Err(corrupt(post, "the body is empty"));
    };
    match format {
        PLAIN => text_from(rest, post),
        ZSTD => decompressing(None, post, |context| {
            text_from(Decoder::with_context(rest, context), post)
        }),
        ZSTD_DICTIONARY => {
            let (dictionary, frame) = dictionary_of(rest, post)?;
            decompressing(Some(dictionary), post, |context| {
                text_from(Decoder::with_context(frame, context), post)
            })
        }
        other => Err(corrupt(post, &format!("unknown body format {other}"))),
    }
}

/// Runs `read` with this thread's decompression context (made on first use), reset to
/// a new frame and referencing `dictionary` when there is one, and nothing otherwise. A
/// context already in use (never: reads do not nest) gives way to a new one.
fn decompressing<T>(
    dictionary: Option<&'static dictionary::Dictionary>,
    post: i64,
    read: impl FnOnce(&mut DCtx<'static>) -> Result<T>,
) -> Result<T> {
    let prepare = |context: &mut DCtx<'static>| -> Result<()> {
        // Parameters too: the dictionary of the last body read goes with them. The last
        // read may also have stopped inside its frame (a text read leaves the HTML).
        let zstd_error = |code| {
            corrupt(
                post,
                &format!("zstd: {}", zstd::zstd_safe::get_error_name(code)),
            )
        };
        context
            .reset(zstd::zstd_safe::ResetDirective::SessionAndParameters)
            .map_err(zstd_error)?;
        if let Some(dictionary) = dictionary {
            context
                .ref_ddict(dictionary.decoder.as_ddict())
                .map_err(zstd_error)?;
        }
        Ok(())
    };
    DECOMPRESSOR.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let context = slot.get_or_insert_with(DCtx::create);
            prepare(context)?;
            read(context)
        }
        Err(_) => {
            let mut context = DCtx::create();
            prepare(&mut context)?;
            read(&mut context)
        }
    })
}

/// The text at the start of a payload read from `reader`.
fn text_from(mut reader: impl Read, post: i64) -> Result<String> {
    let text_len = read_length_from(&mut reader).ok_or_else(|| corrupt(post, "no text length"))?;
    if text_len > LARGEST_PAYLOAD {
        return Err(corrupt(post, "the text length is implausible"));
    }
    let mut text = Vec::with_capacity(usize::try_from(text_len).unwrap_or(0));
    reader
        .take(text_len)
        .read_to_end(&mut text)
        .map_err(|e| corrupt(post, &format!("zstd: {e}")))?;
    if text.len() as u64 != text_len {
        return Err(corrupt(post, "the text length is past the end"));
    }
    String::from_utf8(text).map_err(|_| corrupt(post, "the text is not UTF-8"))
}

/// The payload of a blob, decompressed when it is compressed.
fn payload(blob: &[u8], post: i64) -> Result<std::borrow::Cow<'_, [u8]>> {
    let Some((&format, rest)) = blob.split_first() else {
        return Err(corrupt(post, "the body is empty"));
    };
    match format {
        PLAIN => Ok(std::borrow::Cow::Borrowed(rest)),
        ZSTD => decompress_whole(None, rest, post).map(std::borrow::Cow::Owned),
        ZSTD_DICTIONARY => {
            let (dictionary, frame) = dictionary_of(rest, post)?;
            decompress_whole(Some(dictionary), frame, post).map(std::borrow::Cow::Owned)
        }
        other => Err(corrupt(post, &format!("unknown body format {other}"))),
    }
}

/// A whole frame, decompressed with this thread's context.
fn decompress_whole(
    dictionary: Option<&'static dictionary::Dictionary>,
    frame: &[u8],
    post: i64,
) -> Result<Vec<u8>> {
    let size = frame_size(frame, post)?;
    decompressing(dictionary, post, |context| {
        let mut out = Vec::with_capacity(size);
        let written = context.decompress(&mut out, frame).map_err(|code| {
            corrupt(
                post,
                &format!("zstd: {}", zstd::zstd_safe::get_error_name(code)),
            )
        })?;
        if written != size {
            return Err(corrupt(
                post,
                "the zstd frame is shorter than its header says",
            ));
        }
        Ok(out)
    })
}

/// The decompressed size a frame's header gives, if plausible.
fn frame_size(frame: &[u8], post: i64) -> Result<usize> {
    let size = zstd::zstd_safe::get_frame_content_size(frame)
        .ok()
        .flatten()
        .filter(|size| *size <= LARGEST_PAYLOAD)
        .ok_or_else(|| corrupt(post, "the zstd frame has no plausible size"))?;
    usize::try_from(size).map_err(|_| corrupt(post, "too large"))
}

/// The dictionary a body of format 2 names (`rest`: the body after its format byte), and
/// its frame.
fn dictionary_of(rest: &[u8], post: i64) -> Result<(&'static dictionary::Dictionary, &[u8])> {
    let (id, frame) = rest
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt(post, "no dictionary id"))?;
    let id = i64::from_le_bytes(*id);
    let dictionary = dictionary::lookup(id).ok_or_else(|| {
        corrupt(
            post,
            &format!("body dictionary {id} is not in this process (not in body_dictionaries?)"),
        )
    })?;
    Ok((dictionary, frame))
}

/// The format byte and payload of a blob (decompressed), for rewriting it.
pub(crate) fn stored_payload(blob: &[u8], post: i64) -> Result<(u8, Vec<u8>)> {
    let format = blob.first().copied().unwrap_or(PLAIN);
    Ok((format, payload(blob, post)?.into_owned()))
}

/// The id of the dictionary a blob was made with, if any.
pub(crate) fn dictionary_id(blob: &[u8]) -> Option<i64> {
    match blob.split_first() {
        Some((&ZSTD_DICTIONARY, rest)) => rest.first_chunk::<8>().map(|id| i64::from_le_bytes(*id)),
        _ => None,
    }
}

fn corrupt(post: i64, problem: &str) -> StoreError {
    StoreError::Corrupt(format!("the body of post {post} cannot be read: {problem}"))
}

fn push_length(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A LEB128 length at the start of `bytes`, and where what follows it starts.
fn read_length(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut reader = bytes;
    let value = read_length_from(&mut reader)?;
    Some((value, bytes.len() - reader.len()))
}

fn read_length_from(reader: &mut impl Read) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8];
        reader.read_exact(&mut byte).ok()?;
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests;
