package teamsapp

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// The app's icons are drawn here, so they can be regenerated and checked
// without an image editor: CAIS_WRITE_ICONS=1 go test ./deploy/teams
// rewrites color.png and outline.png.

// accent is the manifest's accentColor and the color icon's background.
var accent = color.NRGBA{R: 0x1F, G: 0x4E, B: 0x79, A: 0xFF}

// check is a check mark as two segments in a unit square.
var check = [][4]float64{{0.26, 0.52, 0.43, 0.69}, {0.43, 0.69, 0.76, 0.33}}

// coverage is how much of pixel (x, y) of a size×size image the check
// mark, stroked width wide (unit square), covers, sampled 4×4 for
// anti-aliasing.
func coverage(x, y, size int, width float64) float64 {
	hit := 0
	for sy := range 4 {
		for sx := range 4 {
			px := (float64(x) + (float64(sx)+0.5)/4) / float64(size)
			py := (float64(y) + (float64(sy)+0.5)/4) / float64(size)
			for _, s := range check {
				if segmentDistance(px, py, s) <= width/2 {
					hit++
					break
				}
			}
		}
	}
	return float64(hit) / 16
}

func segmentDistance(px, py float64, s [4]float64) float64 {
	dx, dy := s[2]-s[0], s[3]-s[1]
	t := math.Max(0, math.Min(1, ((px-s[0])*dx+(py-s[1])*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-(s[0]+t*dx), py-(s[1]+t*dy))
}

// colorIcon is 192×192: a white check mark on the accent color.
func colorIcon() *image.NRGBA {
	const size = 192
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := coverage(x, y, size, 0.11)
			mix := func(bg uint8) uint8 { return uint8(math.Round(float64(bg)*(1-c) + 255*c)) }
			img.SetNRGBA(x, y, color.NRGBA{R: mix(accent.R), G: mix(accent.G), B: mix(accent.B), A: 0xFF})
		}
	}
	return img
}

// outlineIcon is 32×32: the check mark in white on transparency, as
// Teams requires of outline icons.
func outlineIcon() *image.NRGBA {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			a := uint8(math.Round(255 * coverage(x, y, size, 0.14)))
			img.SetNRGBA(x, y, color.NRGBA{R: 255, G: 255, B: 255, A: a})
		}
	}
	return img
}

var icons = map[string]func() *image.NRGBA{"color.png": colorIcon, "outline.png": outlineIcon}

func TestWriteIcons(t *testing.T) {
	if os.Getenv("CAIS_WRITE_ICONS") == "" {
		t.Skip("set CAIS_WRITE_ICONS=1 to regenerate color.png and outline.png")
	}
	for name, draw := range icons {
		var buf bytes.Buffer
		if err := png.Encode(&buf, draw()); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func decodePNG(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// TestIcons checks what Teams requires of the icons, and that the files
// are what the drawing code makes (nobody edited one by hand).
func TestIcons(t *testing.T) {
	sizes := map[string]int{"color.png": 192, "outline.png": 32}
	for name, want := range sizes {
		img := decodePNG(t, name)
		if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), want, want)
		}
		drawn := icons[name]()
		for y := range want {
			for x := range want {
				if color.NRGBAModel.Convert(img.At(x, y)) != drawn.At(x, y) {
					t.Fatalf("%s differs from the drawing at (%d,%d): regenerate with CAIS_WRITE_ICONS=1", name, x, y)
				}
			}
		}
	}
	out := decodePNG(t, "outline.png")
	transparent := 0
	for y := range 32 {
		for x := range 32 {
			c := color.NRGBAModel.Convert(out.At(x, y)).(color.NRGBA)
			if c.A > 0 && (c.R != 255 || c.G != 255 || c.B != 255) {
				t.Fatalf("outline pixel (%d,%d) is %v: only white and transparency are allowed", x, y, c)
			}
			if c.A == 0 {
				transparent++
			}
		}
	}
	if transparent < 32*32/2 {
		t.Errorf("outline has %d transparent pixels: its background must be transparent", transparent)
	}
}
