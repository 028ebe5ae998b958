/// @file
/// Tile selection for the layer compiler. A layer is computed in steps
/// (pixel tile, output-group tile, K tile), loop order pixel, group, K. A
/// pixel tile is toh output rows x tow output columns (Mt = toh * tow rows
/// streamed per compute instruction), a K tile is kct chunks of DIM input
/// channels at one or more kernel positions, a group tile is ngt groups of
/// DIM output channels. Every scratchpad and the accumulator memory are split
/// into two halves (double buffering), and a tile must fit one half:
/// A: Mt * kct rows, B: kct * DIM * ngt rows, accumulators: Mt * ngt rows.
#pragma once

#include <cstdint>
#include <string>

#include "sw/compiler/layer.h"
#include "sw/gen/npu_configs.h"

namespace npu::compiler {

/// Derived sizes of a layer on a configuration.
struct LayerGeometry {
  int dim = 0;  ///< DIM.
  int oh = 0;   ///< Output height.
  int ow = 0;   ///< Output width.
  int cc = 0;   ///< Input channel chunks, ceil(cin / DIM).
  int kc = 0;   ///< K chunks, kh * kw * cc.
  int ng = 0;   ///< Output groups, ceil(cout / DIM).
};

/// Geometry of @p layer (assumed valid) for @p hw.
LayerGeometry GeometryOf(const ConvLayer& layer, const HwConfig& hw);

/// A tile choice and its cost estimate.
struct Tiling {
  int toh = 0;  ///< Output rows per pixel tile.
  int tow = 0;  ///< Output columns per pixel tile.
  int kct = 0;  ///< K chunks per K tile.
  int ngt = 0;  ///< Output groups per group tile.
  int th = 0;   ///< Pixel tiles vertically, ceil(oh / toh).
  int tw = 0;   ///< Pixel tiles horizontally, ceil(ow / tow).
  int kt = 0;   ///< K tiles, ceil(kc / kct).
  int gt = 0;   ///< Group tiles, ceil(ng / ngt).

  /// Rows streamed per compute instruction of a full pixel tile.
  int Mt() const { return toh * tow; }
  /// Whether the A tile stays resident across group tiles (K fits: kt == 1).
  bool AResident() const { return kt == 1; }
  /// Whether the B tile is loaded once for the whole layer.
  bool BResident() const { return kt == 1 && gt == 1; }

  uint64_t compute_cycles = 0;  ///< Estimated compute-unit busy cycles.
  uint64_t load_rows = 0;       ///< Scratchpad rows loaded (A + B + P).
  uint64_t a_rows = 0;          ///< A rows loaded.
  uint64_t b_rows = 0;          ///< B rows loaded.
  uint64_t store_rows = 0;      ///< Output rows stored.
  uint64_t est_cycles = 0;      ///< Estimated run time with the units overlapped.
  /// Lowest compute cycles / loaded rows over the steps that load (0 if none).
  double worst_step_ratio = 0;
};

/// Fills the counts and cost estimates of @p t (toh, tow, kct, ngt set).
void EvaluateTiling(const LayerGeometry& g, Tiling& t);

/// Whether @p t fits the halves of every buffer of @p hw and the field limits.
bool FitsCapacity(const LayerGeometry& g, const HwConfig& hw, const Tiling& t);

/// Chooses a tiling: among the candidates whose estimated run time is within
/// about 3% of the fastest, the one loading the fewest bytes (most MACs per
/// loaded byte), then the one with the fewest steps, then the fastest.
/// Candidates balance the tiles of each axis; pixel tiles are the largest
/// that fit the A and accumulator halves, or that size halved repeatedly.
/// The estimate counts every loaded row at two cycles (half the ideal bus
/// rate), so a chosen compute-bound tiling keeps a 2x margin.
/// @throws std::invalid_argument if nothing fits (cannot happen for valid
/// layers on the named configurations).
Tiling ChooseTiling(const ConvLayer& layer, const HwConfig& hw);

/// One-line human-readable summary of a tiling.
std::string TilingSummary(const LayerGeometry& g, const Tiling& t);

// ---------------------------------------------------------------------------
// Window layers (depthwise convolution, max and average pooling), run by the
// window unit. A layer is computed in tiles (channel group, output rows,
// output columns), loop order channel group, rows, columns. A tile is nct
// channel blocks (planes) of toh x tow outputs, read from an input tile of
// ih = (toh - 1) * stride_h + kh rows by iw = (tow - 1) * stride_w + kw
// columns per plane (padding included); it must fit half of A
// (nct * ih * iw rows) and half of the accumulators (nct * toh * tow rows),
// iw must not exceed the window unit's line buffers (window_cols) and nct
// is at most 255.
// ---------------------------------------------------------------------------

/// Sizes of a window layer on a configuration.
struct WindowGeometry {
  int dim = 0;                 ///< DIM.
  int ncb = 0;                 ///< Channel blocks, ceil(c / DIM).
  int kh = 1;                  ///< Window height.
  int kw = 1;                  ///< Window width.
  int sy = 1;                  ///< Vertical stride.
  int sx = 1;                  ///< Horizontal stride.
  int oh = 0;                  ///< Output height.
  int ow = 0;                  ///< Output width.
  bool weights = false;        ///< Depthwise: kh * kw B rows per channel block.
  bool shared_params = false;  ///< One requant block for every channel (pooling).

  /// Taps of the window, kh * kw.
  int Taps() const { return kh * kw; }
  /// Input tile rows for @p rows output rows.
  int TileRows(int rows) const { return (rows - 1) * sy + kh; }
  /// Input tile columns for @p cols output columns.
  int TileCols(int cols) const { return (cols - 1) * sx + kw; }
};

/// A tile choice of a window layer and its cost estimate.
struct WindowTiling {
  int toh = 0;              ///< Output rows per tile.
  int tow = 0;              ///< Output columns per tile.
  int nct = 0;              ///< Channel blocks per tile.
  int th = 0;               ///< Tiles vertically, ceil(oh / toh).
  int tw = 0;               ///< Tiles horizontally, ceil(ow / tow).
  int ct = 0;               ///< Channel groups, ceil(ncb / nct).
  bool b_resident = false;  ///< Depthwise: all weights loaded once (else per channel group).

  uint64_t a_rows = 0;         ///< A rows loaded (input tiles, padding and halos included).
  uint64_t b_rows = 0;         ///< B rows loaded (depthwise weights).
  uint64_t window_cycles = 0;  ///< Estimated window-unit busy cycles.
  uint64_t store_rows = 0;     ///< Output rows stored.
  uint64_t est_cycles = 0;     ///< Estimated run time with the units overlapped.

  /// Number of tiles (steps).
  uint64_t Tiles() const { return static_cast<uint64_t>(th) * tw * ct; }
};

/// Whether @p t (toh, tow, nct, b_resident set) fits half of A, half of the
/// accumulators, B and the field limits of @p hw.
bool FitsWindowCapacity(const WindowGeometry& g, const HwConfig& hw, const WindowTiling& t);

/// Fills the counts and cost estimates of @p t (toh, tow, nct, b_resident
/// set). Each tile is estimated as max(load, window, store) plus a fixed
/// overhead, the units running concurrently (double buffering): the load
/// writes one row per cycle, the window unit reads one row per cycle and
/// issues a window in ceil(kh/3) * ceil(kw/3) cycles, the store writes one
/// row per cycle; the first load and the last store are not overlapped.
void EvaluateWindowTiling(const WindowGeometry& g, WindowTiling& t);

/// Chooses the tiling of a window layer: full output rows when the input
/// row fits the line buffers (else the columns are split evenly), then
/// among every channel-group size and the tallest tiles that fit (or that
/// height halved repeatedly), the fastest estimate; among those within
/// about 3% of it, the fewest loaded rows, then the fewest tiles.
WindowTiling ChooseWindowTiling(const WindowGeometry& g, const HwConfig& hw);

/// One-line human-readable summary of a window tiling.
std::string WindowTilingSummary(const WindowGeometry& g, const WindowTiling& t);

// ---------------------------------------------------------------------------
// Flat layers (MEAN and the elementwise add): each channel block is a plane
// of h * w rows, processed in tiles of nct whole planes, or, when a plane is
// split, of one piece of `rows` rows of one plane.
// ---------------------------------------------------------------------------

/// A tile choice of a flat layer.
struct FlatTiling {
  uint64_t plane = 0;       ///< Rows of a plane, h * w.
  int rows = 0;             ///< Rows of a plane per tile (the plane, or a piece of it).
  int nct = 0;              ///< Planes per tile (1 when a plane is split).
  int pieces = 0;           ///< Tiles per plane, ceil(plane / rows).
  int ct = 0;               ///< Plane groups, ceil(ncb / nct).
  uint64_t est_cycles = 0;  ///< Estimated run time with the units overlapped.

  /// Number of tiles (steps).
  uint64_t Steps() const { return static_cast<uint64_t>(pieces) * ct; }
};

/// Tiling of a MEAN over planes of @p plane rows, @p ncb planes: whole
/// planes (up to 255, half of A and half of the accumulators at one row
/// per plane) or, for planes larger than half of A, pieces of at most half
/// of A summed with the window unit's carry. Chosen by an estimate of the
/// load and window time as ChooseWindowTiling.
FlatTiling ChooseMeanTiling(uint64_t plane, int ncb, const HwConfig& hw);

/// Tiling of an elementwise add over planes of @p plane rows, @p ncb
/// planes: a tile holds nct * rows rows in half of A and half of the
/// accumulators.
FlatTiling ChooseAddTiling(uint64_t plane, int ncb, const HwConfig& hw);

/// One-line human-readable summary of a flat tiling.
std::string FlatTilingSummary(const FlatTiling& t);

}  // namespace npu::compiler
