// Map cells for cache invalidation: a fixed 0.5° grid. A search reads the versions of every cell its radius
// touches; a change to a provider bumps the version of the one cell the provider is in.
export const CELL_DEG = 0.5;
const KM_PER_DEG_LAT = 111.32;

export function cellOf(lat: number, lng: number): string {
  return `${Math.floor(lat / CELL_DEG)}:${Math.floor(lng / CELL_DEG)}`;
}

/** Every cell that a circle of radiusKm around (lat, lng) can reach, via its bounding box. */
export function cellsAround(lat: number, lng: number, radiusKm: number): string[] {
  const dLat = radiusKm / KM_PER_DEG_LAT;
  const cosLat = Math.max(Math.cos((Math.min(Math.abs(lat) + dLat, 89.9) * Math.PI) / 180), 0.01);
  const dLng = radiusKm / (KM_PER_DEG_LAT * cosLat);
  const cells: string[] = [];
  for (let y = Math.floor((lat - dLat) / CELL_DEG); y <= Math.floor((lat + dLat) / CELL_DEG); y++) {
    for (let x = Math.floor((lng - dLng) / CELL_DEG); x <= Math.floor((lng + dLng) / CELL_DEG); x++) {
      cells.push(`${y}:${x}`);
    }
  }
  return cells;
}
