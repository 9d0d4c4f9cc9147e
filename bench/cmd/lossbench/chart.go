package main

import (
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// implStyle is the colour and dash pattern of an implementation's line, the
// same in every panel.
func implStyle(impl string) (color.Color, []vg.Length) {
	dash := []vg.Length{vg.Points(5), vg.Points(3)}
	dot := []vg.Length{vg.Points(1.5), vg.Points(2)}
	switch impl {
	case "generic":
		return color.RGBA{120, 120, 120, 255}, nil
	case "avx2":
		return color.RGBA{31, 119, 180, 255}, nil
	case "avx512":
		return color.RGBA{106, 61, 154, 255}, nil
	case "neon":
		return color.RGBA{23, 190, 207, 255}, nil
	case implGo:
		return color.RGBA{255, 127, 14, 255}, dash
	case implTorch:
		return color.RGBA{214, 39, 40, 255}, dash
	case implNumPy:
		return color.RGBA{44, 160, 44, 255}, dash
	case implProbe:
		return color.Black, dot
	case implProbe2:
		return color.RGBA{140, 86, 75, 255}, dot
	}
	return color.RGBA{188, 189, 34, 255}, nil
}

// chartName is the file name of the chart of one element type and mode.
func chartName(dtype string, grad bool) string {
	mode := "forward"
	if grad {
		mode = "grad"
	}
	return fmt.Sprintf("chart-%s-%s.png", dtype, mode)
}

// writeChart draws GB/s (bytes read and written per ns, log scale) against
// elements (log scale) for one element type and mode: one panel per loss,
// one line per kernel level, peer and probe.
func writeChart(path string, results []*result, dtype string, grad bool, impls []string) (bool, error) {
	var panels []*plot.Plot
	used := map[string]bool{}
	for _, l := range lossSpecs {
		var rs []*result
		for _, res := range results {
			if res.G.Loss == l && res.G.DType == dtype && res.G.Grad == grad {
				rs = append(rs, res)
			}
		}
		if len(rs) == 0 {
			continue
		}
		p := plot.New()
		p.Title.Text = l.Name
		p.Title.TextStyle.Font.Size = vg.Points(11)
		p.X.Label.Text = "elements"
		if l.Kind == softmaxRows || l.Kind == sparseRows {
			p.X.Label.Text = "elements (rows × classes)"
		}
		p.Y.Label.Text = "GB/s"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker = sizeTicks{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Add(plotter.NewGrid())
		for _, impl := range impls {
			var xys plotter.XYs
			for _, res := range rs {
				r, ok := res.Row(impl)
				if !ok || !r.OK() || !(r.GBps() > 0) {
					continue
				}
				xys = append(xys, plotter.XY{X: float64(res.G.Elements()), Y: r.GBps()})
			}
			if len(xys) == 0 {
				continue
			}
			line, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return false, err
			}
			c, dashes := implStyle(impl)
			line.Color, line.Dashes, line.Width = c, dashes, vg.Points(1.3)
			pts.Color, pts.Radius = c, vg.Points(1.8)
			p.Add(line, pts)
			used[impl] = true
		}
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return false, nil
	}
	cols := min(3, len(panels))
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
		for j := range grid[i] {
			if k := i*cols + j; k < len(panels) {
				grid[i][j] = panels[k]
			}
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Points(float64(330*cols)), vg.Points(float64(260*rows+64))), vgimg.UseDPI(110))
	dc := draw.New(img)
	mode := "forward"
	if grad {
		mode = "forward with Gradient (PyTorch: forward+backward)"
	}
	title := fmt.Sprintf("simdloss %s, %s: GB/s (bytes read + written per ns) against size", dtype, mode)
	font := plot.DefaultFont
	font.Size = vg.Points(13)
	dc.FillText(draw.TextStyle{Color: color.Black, Font: font, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter},
		vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Points(20)}, title)
	// One legend for every panel, in a band along the bottom.
	var legend []string
	for _, impl := range impls {
		if used[impl] {
			legend = append(legend, impl)
		}
	}
	font.Size = vg.Points(11)
	step := (dc.Max.X - dc.Min.X - vg.Points(40)) / vg.Length(max(len(legend), 1))
	for i, impl := range legend {
		x := dc.Min.X + vg.Points(20) + vg.Length(i)*step
		y := dc.Min.Y + vg.Points(14)
		c, dashes := implStyle(impl)
		dc.StrokeLines(draw.LineStyle{Color: c, Width: vg.Points(2), Dashes: dashes}, []vg.Point{{X: x, Y: y}, {X: x + vg.Points(24), Y: y}})
		dc.FillText(draw.TextStyle{Color: color.Black, Font: font, Handler: plot.DefaultTextHandler, YAlign: draw.YCenter},
			vg.Point{X: x + vg.Points(28), Y: y}, impl)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: vg.Points(32), PadX: vg.Points(14), PadY: vg.Points(14), PadLeft: vg.Points(6), PadRight: vg.Points(10), PadBottom: vg.Points(32)}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			if grid[i][j] != nil {
				grid[i][j].Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return false, err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}

// sizeTicks marks powers of four with 1Ki, 4Ki, …, 16Mi.
type sizeTicks struct{}

func (sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := 0; e < 40; e++ {
		v := math.Ldexp(1, e)
		if v < lo/1.01 || v > hi*1.01 {
			continue
		}
		t := plot.Tick{Value: v}
		if e%2 == 0 {
			t.Label = sizeName(int(v))
		}
		ts = append(ts, t)
	}
	if len(ts) < 2 {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	return ts
}
