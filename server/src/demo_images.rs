//! Pictures for the demo catalog: the demo price lists name image URLs on hosts that
//! do not exist, so on first start each one gets a generated product shot, processed
//! and stored through the same pipeline as an upload. One in ten is deliberately
//! small, so the automatic checks have something to reject.

use crate::state::AppState;
use bytes::Bytes;
use image::{ImageBuffer, Rgb};
use std::io::Cursor;

/// A deterministic picture for `url`: a soft background, a "product" block and a
/// shadow, placed and coloured from the URL's hash.
fn picture(url: &str, side: u32) -> Result<Vec<u8>, image::ImageError> {
    let h = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let byte = |i: u32| ((h >> (i * 8)) & 0xff) as u8;
    let bg = Rgb([235 - byte(0) / 8, 238 - byte(1) / 8, 242 - byte(2) / 8]);
    let fg = Rgb([byte(3) / 2 + 40, byte(4) / 2 + 40, byte(5) / 2 + 60]);
    let (w, hgt) = (
        side / 3 + u32::from(byte(6)) * side / 900,
        side / 3 + u32::from(byte(7)) * side / 900,
    );
    let (x0, y0) = (
        (side - w) / 2 + u32::from(byte(1) % 40),
        (side - hgt) / 2 + u32::from(byte(2) % 40),
    );
    let img = ImageBuffer::from_fn(side, side, |x, y| {
        let inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + hgt;
        let shadow = x >= x0 + 12 && x < x0 + w + 12 && y >= y0 + hgt && y < y0 + hgt + 12;
        if inside {
            let shade = ((x - x0) * 40 / w.max(1)) as u8;
            Rgb([
                fg[0].saturating_add(shade),
                fg[1].saturating_add(shade),
                fg[2],
            ])
        } else if shadow {
            Rgb([bg[0] - 40, bg[1] - 40, bg[2] - 40])
        } else {
            let v = (y * 12 / side) as u8;
            Rgb([bg[0] - v, bg[1] - v, bg[2] - v])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)?;
    Ok(out)
}

/// Every image URL in demo content that has no image yet gets a generated one.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    let wanted = db::demo_catalog::image_urls(&state.db).await?;
    let mut made = 0;
    for (n, (seller_id, url)) in wanted.into_iter().enumerate() {
        if !db::images::states_for(&state.db, seller_id, std::slice::from_ref(&url))
            .await?
            .is_empty()
        {
            continue;
        }
        let side = if n % 10 == 9 { 320 } else { 800 };
        let bytes = Bytes::from(picture(&url, side)?);
        let (bytes, processed) = crate::images::process(
            bytes,
            Some("image/jpeg".into()),
            None,
            state.settings.image_max_bytes,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo image {url}: {}", e.message(domain::Locale::En)))?;
        let id = db::images::new_image_id();
        let meta = crate::images::store_blobs(&state.blobs, seller_id, id, &bytes, &processed)
            .await
            .map_err(|e| anyhow::anyhow!("storing demo image {url}: {e}"))?;
        db::images::record_upload(&state.db, seller_id, id, &url, &meta).await?;
        made += 1;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_real_jpegs_of_the_asked_size() {
        let bytes = picture("https://images.demo.bazaar/a.jpg", 320).unwrap_or_default();
        let img = image::load_from_memory(&bytes).map(|i| (i.width(), i.height()));
        assert_eq!(img.ok(), Some((320, 320)));
        assert_ne!(
            picture("https://x/1.jpg", 64).unwrap_or_default(),
            picture("https://x/2.jpg", 64).unwrap_or_default()
        );
    }
}
