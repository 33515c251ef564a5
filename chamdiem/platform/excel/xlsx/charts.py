"""Bar charts: what a caller asks for (`BarChart`, `BarSeries`), the chart part and its anchor
in the sheet's drawing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chamdiem.platform.excel.xlsx.cells import attr, text
from chamdiem.platform.excel.xlsx.package import CHART, DRAWING_MAIN, RELS, XML


@dataclass(frozen=True)
class BarSeries:
    """A series' cells and its colours, given as RGB hex: the workbook has no theme for a
    reader to take "automatic" colours from (LibreOffice then draws no bars at all)."""

    name_ref: str  # a formula reference to the series' name cell
    values_ref: str
    color: str = "4F81BD"
    point_colors: Sequence[str] = ()  # one per bar, when the bars of the series differ


@dataclass(frozen=True)
class BarChart:
    """A column (vertical) or bar (horizontal) chart anchored from cell `top_left` to
    `bottom_right` ((column, row), 0-based)."""

    title: str
    categories_ref: str
    series: Sequence[BarSeries]
    top_left: tuple[int, int]
    bottom_right: tuple[int, int]
    stacked: bool = False
    horizontal: bool = False
    value_title: str | None = None
    labels: bool = True  # the value on each bar


def _rich(title: str, size: int, bold: bool) -> str:
    return (
        "<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{size}" b="{1 if bold else 0}"/></a:pPr>'
        f'<a:r><a:rPr lang="vi-VN" sz="{size}" b="{1 if bold else 0}"/>'
        f"<a:t>{text(title)}</a:t></a:r></a:p></c:rich></c:tx>"
    )


def chart_xml(chart: BarChart, font: str) -> str:
    series = []
    for index, s in enumerate(chart.series):
        labels = ""
        if chart.labels:
            labels = (
                '<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/>'
                '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/>'
                '<c:showBubbleSize val="0"/></c:dLbls>'
            )
        points = "".join(
            f'<c:dPt><c:idx val="{k}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>'
            f"{_fill(color)}</c:dPt>"
            for k, color in enumerate(s.point_colors)
        )
        series.append(
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx><c:strRef><c:f>{text(s.name_ref)}</c:f></c:strRef></c:tx>"
            f'{_fill(s.color)}<c:invertIfNegative val="0"/>{points}{labels}'
            f"<c:cat><c:strRef><c:f>{text(chart.categories_ref)}</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{text(s.values_ref)}</c:f></c:numRef></c:val></c:ser>"
        )
    grouping = "stacked" if chart.stacked else "clustered"
    overlap = '<c:overlap val="100"/>' if chart.stacked else ""
    direction = "bar" if chart.horizontal else "col"
    category_side, value_side = ("l", "b") if chart.horizontal else ("b", "l")
    value_title = (
        f'<c:title>{_rich(chart.value_title, 1000, False)}<c:overlay val="0"/></c:title>'
        if chart.value_title
        else ""
    )
    return (
        XML + f'<c:chartSpace xmlns:c="{CHART}" xmlns:a="{DRAWING_MAIN}" xmlns:r="{RELS}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'<c:title>{_rich(chart.title, 1200, True)}<c:overlay val="0"/></c:title>'
        '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="{grouping}"/>'
        f'<c:varyColors val="0"/>{"".join(series)}<c:gapWidth val="80"/>{overlap}'
        '<c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>'
        '<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="'
        + ("maxMin" if chart.horizontal else "minMax")
        + '"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{category_side}"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{value_side}"/><c:majorGridlines/>'
        f'{value_title}<c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000001"/><c:crosses val="'
        + ("max" if chart.horizontal else "autoZero")
        + '"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        + (
            '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
            if len(chart.series) > 1  # one series: its bars are named on the axis
            else ""
        )
        + '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000">'
        f"<a:latin typeface={attr(font)}/><a:cs typeface={attr(font)}/></a:defRPr></a:pPr>"
        '<a:endParaRPr lang="vi-VN"/></a:p></c:txPr></c:chartSpace>'
    )


def _fill(color: str) -> str:
    return f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>'


def anchor(chart: BarChart, number: int) -> str:
    (c1, r1), (c2, r2) = chart.top_left, chart.bottom_right
    return (
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{c2}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r2}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 1}" '
        f"name={attr(chart.title[:60] or 'Biểu đồ')}/><xdr:cNvGraphicFramePr/>"
        '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{CHART}"><c:chart xmlns:c="{CHART}" '
        f'r:id="rId{number}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        "<xdr:clientData/></xdr:twoCellAnchor>"
    )
