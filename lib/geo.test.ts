import { describe, expect, it } from "vitest";
import { cellOf, cellsAround } from "./geo";

describe("map cells", () => {
  it("puts Gulshan and Dhanmondi in the same cell and Chattogram elsewhere", () => {
    expect(cellOf(23.7925, 90.4152)).toBe(cellOf(23.7465, 90.376));
    expect(cellOf(22.3569, 91.7832)).not.toBe(cellOf(23.7925, 90.4152));
  });

  it("covers every cell a radius can reach, including across a cell edge", () => {
    // 1 km west of the 90.5° line: a 5 km radius reaches the next cell east.
    const cells = cellsAround(23.7, 90.49, 5);
    expect(cells).toContain(cellOf(23.7, 90.49));
    expect(cells).toContain(cellOf(23.7, 90.51));
    // A 50 km radius around Dhaka still needs only a handful of cells.
    expect(cellsAround(23.79, 90.41, 50).length).toBeLessThanOrEqual(16);
  });
});
