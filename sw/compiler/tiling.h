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

}  // namespace npu::compiler
