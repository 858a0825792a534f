import { describe, expect, it } from "bun:test";
import { dailySeries } from "../../modules/social/chart-scale.ts";
import { BarChart, LineChart } from "./charts.tsx";

const from = new Date("2026-11-20T00:00:00Z");
const to = new Date("2026-11-26T00:00:00Z");

describe("SVG charts", () => {
  it("draws one line per series through every day, on an axis up to a round top", async () => {
    const clicks = dailySeries({ "2026-11-21": 12, "2026-11-25": 38 }, from, to);
    const paid = dailySeries({ "2026-11-25": 4 }, from, to);
    const html = (await (<LineChart title="Referrals <&>" series={[{ label: "Clicks", points: clicks }, { label: "Paid orders", points: paid }]} />).toString()) as string;
    const lines = [...html.matchAll(/<polyline[^>]* points="([^"]+)"/g)].map((m) => m[1]!.split(" "));
    expect(lines.length).toBe(2);
    expect(lines.every((points) => points.length === 7)).toBe(true);
    // 38 clicks on the 25th: the highest point; the axis goes to 40.
    const ys = lines[0]!.map((p) => Number(p.split(",")[1]));
    expect(Math.min(...ys)).toBe(ys[5]!);
    expect(html).toContain(">40</text>");
    expect(html).toContain("Referrals &lt;&amp;&gt;");
    expect(html).not.toContain("<&>");
    expect(html).toContain("<td>38</td>");
  });

  it("stacks bars and leaves empty days empty", async () => {
    const filled = dailySeries({ "2026-11-22": 2 }, from, to);
    const failed = dailySeries({ "2026-11-22": 1, "2026-11-23": 3 }, from, to);
    const html = (await (<BarChart title="Groups" series={[{ label: "Filled", points: filled }, { label: "Failed", points: failed }]} />).toString()) as string;
    expect([...html.matchAll(/<rect /g)].length).toBe(3);
    expect(html).toContain('role="img"');
  });
});
