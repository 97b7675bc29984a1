"""A monitor's recent response times as inline SVG polylines: no script, so the CSP allows it."""

from app.dashboard.values import number

SPARK_POINTS = 60
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def sparkline(pings) -> tuple[list[str], str]:
    """Polyline points for the recent response times, broken where a beat failed."""
    if not isinstance(pings, list):
        return [], ""
    values = [number(p) for p in pings[-SPARK_POINTS:]]
    known = [v for v in values if v is not None]
    if not known:
        return [], ""
    low, top = min(known), max(known)
    span = (top - low) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    runs, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run:
                runs.append(run)
            run = []
            continue
        # Scaled between the lowest and highest time; a steady service draws a middle line.
        share = (v - low) / span if top > low else 0.5
        y = SPARK_HEIGHT - 2 - share * (SPARK_HEIGHT - 4)
        run.append(f"{i * step:.1f},{y:.1f}")
    if run:
        runs.append(run)
    # A lone point gets a short flat line so it shows.
    lines = [" ".join(r if len(r) > 1 else [r[0], _nudge(r[0])]) for r in runs]
    words = f"Response times of the last {len(values)} checks: {low:.0f} to {top:.0f} ms"
    gaps = len(values) - len(known)
    if gaps:
        words += f", {gaps} without an answer"
    return lines, words


def _nudge(point: str) -> str:
    x, y = point.split(",")
    return f"{float(x) + 1.5:.1f},{y}"
