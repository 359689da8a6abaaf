-- Catalog, second part: indexes for the seller's SKU list.
--
-- The list pages by keyset on (sort column, id) within one seller, so each sort
-- order has an index that ends in id: a page deep in a million SKUs reads only the
-- rows it shows. The three indexes of 20261126000002 are replaced by versions that
-- end in id (same leading columns, so every query that used them still can).
-- The category index leads with category_code so that "does any SKU use this
-- category?" (deleting or re-importing categories) is one probe, while the seller's
-- category filter uses it with both equalities.

DROP INDEX skus_seller_updated_idx;
DROP INDEX skus_seller_status_idx;
DROP INDEX skus_seller_category_idx;

CREATE INDEX skus_seller_updated_id_idx ON skus (seller_id, updated_at, id);
CREATE INDEX skus_seller_status_updated_idx ON skus (seller_id, status, updated_at, id);
CREATE INDEX skus_category_seller_idx ON skus (category_code, seller_id, updated_at, id);
CREATE INDEX skus_seller_title_idx ON skus (seller_id, title, id);
CREATE INDEX skus_seller_price_idx ON skus (seller_id, price_minor, id);
CREATE INDEX skus_seller_stock_idx ON skus (seller_id, stock, id);
