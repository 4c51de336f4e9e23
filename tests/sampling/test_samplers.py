"""The samplers' contract, checked once per sampler, and what each design promises on its own."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from somrisk.errors import UsageError
from somrisk.sampling import BLOCK_DRAWS, Stream, block_rng, make_sampler

DRAWS = 2 * BLOCK_DRAWS + 1000  # two full blocks and a partial one


class SamplerContract:
    name: str

    def make(self, seed: int = 3, draws: int = DRAWS, dimension: int = 4):
        return make_sampler(self.name, seed=seed, draws=draws, dimension=dimension)

    def test_values_lie_inside_the_unit_interval(self):
        u = self.make().uniforms()
        assert u.shape == (DRAWS, 4)
        assert np.all((u > 0) & (u < 1))

    def test_no_inputs_gives_empty_columns(self):
        assert self.make(dimension=0).uniforms().shape == (DRAWS, 0)

    def test_blocks_joined_equal_the_whole_run_and_any_split(self):
        sampler = self.make()
        whole = sampler.uniforms()
        joined = np.concatenate([sampler.block(b) for b in range(3)])
        np.testing.assert_array_equal(whole, joined)
        np.testing.assert_array_equal(whole[5000:12000], sampler.uniforms(5000, 12000))

    def test_blocks_do_not_depend_on_the_order_they_are_made_in(self):
        sampler = self.make()
        backwards = [sampler.block(b) for b in (2, 1, 0)][::-1]
        np.testing.assert_array_equal(np.concatenate(backwards), self.make().uniforms())

    def test_same_seed_same_numbers_other_seed_other_numbers(self):
        np.testing.assert_array_equal(self.make(seed=5).uniforms(), self.make(seed=5).uniforms())
        assert not np.array_equal(self.make(seed=5).uniforms(), self.make(seed=6).uniforms())

    def test_columns_are_uniform(self):
        u = self.make().uniforms()
        for j in range(u.shape[1]):
            assert stats.kstest(u[:, j], "uniform").pvalue > 1e-4

    def test_columns_are_not_correlated(self):
        rho = stats.spearmanr(self.make().uniforms()).statistic
        off_diagonal = rho[~np.eye(4, dtype=bool)]
        assert np.abs(off_diagonal).max() < 0.05


class TestMonteCarlo(SamplerContract):
    name = "mc"

    def test_block_streams_are_the_spawned_children_of_the_seed(self):
        child = np.random.SeedSequence(11).spawn(Stream.UNIFORMS + 1)[Stream.UNIFORMS].spawn(3)[2]
        expected = np.random.default_rng(child).random(5)
        np.testing.assert_array_equal(block_rng(11, Stream.UNIFORMS, 2).random(5), expected)


class TestLatinHypercube(SamplerContract):
    name = "lhs"

    @staticmethod
    def assert_stratified(u: np.ndarray) -> None:
        n = u.shape[0]
        strata = np.sort(np.floor(u * n).astype(np.int64), axis=0)
        np.testing.assert_array_equal(strata, np.broadcast_to(np.arange(n)[:, None], u.shape))

    def test_each_block_is_a_latin_hypercube(self):
        sampler = self.make()
        for b in range(3):
            self.assert_stratified(sampler.block(b))

    def test_full_blocks_together_are_one_latin_hypercube(self):
        u = self.make(draws=4 * BLOCK_DRAWS).uniforms()
        self.assert_stratified(u)

    def test_a_run_shorter_than_a_block_is_a_latin_hypercube(self):
        self.assert_stratified(self.make(draws=1000).uniforms())


class TestSobol(SamplerContract):
    name = "sobol"

    def make(self, seed: int = 3, draws: int = DRAWS, dimension: int = 4):
        with warnings.catch_warnings():  # DRAWS is not a power of two, on purpose
            warnings.simplefilter("ignore", UserWarning)
            return super().make(seed, draws, dimension)

    def test_first_block_is_balanced(self):
        # scrambled Sobol points: each coordinate has one point in each of n equal intervals
        u = make_sampler("sobol", seed=1, draws=BLOCK_DRAWS, dimension=4).uniforms()
        TestLatinHypercube.assert_stratified(u)

    def test_blocks_continue_one_sequence(self):
        from scipy.stats import qmc

        from somrisk.sampling.streams import run_seed_sequence

        engine = qmc.Sobol(
            4, scramble=True, rng=np.random.default_rng(run_seed_sequence(3, Stream.SOBOL_SCRAMBLE))
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            expected = engine.random(DRAWS)
        np.testing.assert_allclose(self.make().uniforms(), np.clip(expected, 2.0**-60, None))

    def test_draws_that_are_not_a_power_of_two_warn(self):
        with pytest.warns(UserWarning, match="power of two"):
            make_sampler("sobol", seed=1, draws=1000, dimension=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "quasi"}, "unknown sampler 'quasi'"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"draws": 0}, "draws must be a whole number >= 1"),
        ({"draws": 2.5}, "draws must be a whole number >= 1"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    arguments = {"name": "mc", "seed": 1, "draws": 10, "dimension": 2} | kwargs
    with pytest.raises(UsageError, match=match):
        make_sampler(arguments.pop("name"), **arguments)
