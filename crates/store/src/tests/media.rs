//! Which cached images the stored posts show, on both engines: the current HTML of every
//! post and that of its stored revisions.

use crate::tests::{at, entry, meta, store_with_source, tagged};

fn name(c: char) -> String {
    c.to_string().repeat(64)
}

async fn media_references_name_every_post_s_and_revision_s_images() {
    let (store, source, _db) = store_with_source(Some("Blog")).await;
    let with_image = |guid: &str, title: &str, text: &str, image: char| {
        let mut post = entry(guid, title, 2);
        post.content_text = text.to_owned();
        post.content_html = format!(
            "<p>{text}</p><img src=\"/media/{}\"><img src=\"https://elsewhere.example/x.png\">",
            name(image)
        );
        tagged(post, &[])
    };
    let first = [with_image("a", "Kelp", "Kelp grows fast.", 'a')];
    store
        .ingest(source, &meta(), &first, at(3))
        .await
        .expect("ingest");
    // An edit: the earlier version (and its image) becomes a revision.
    let edited = [
        with_image(
            "a",
            "Kelp, revised",
            "Kelp grows very fast in warm water.",
            'b',
        ),
        with_image("b", "Urchins", "Urchins eat kelp.", 'c'),
    ];
    store
        .ingest(source, &meta(), &edited, at(4))
        .await
        .expect("ingest");
    let names: Vec<String> = store
        .media_references()
        .await
        .expect("references")
        .into_iter()
        .collect();
    assert_eq!(names, [name('a'), name('b'), name('c')]);
}

async fn an_empty_store_references_no_media() {
    let (store, _source, _db) = store_with_source(Some("Blog")).await;
    assert!(
        store
            .media_references()
            .await
            .expect("references")
            .is_empty()
    );
}

crate::tests::on_both_engines!(
    media_references_name_every_post_s_and_revision_s_images,
    an_empty_store_references_no_media,
);
