// The orders module's public surface: the catalog service (stores, products, SKUs, stock) and its pages.
export { createCatalog, type Catalog, type NewProduct, type Product, type ProductSummary, type Sku, type Store } from "./catalog.ts";
export { orderRoutes } from "./routes.tsx";
