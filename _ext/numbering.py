"""Number the book's definitions, examples, exercises and equations 3.7.1, 3.7.2, ...

Sphinx numbers each counter across the whole book (numfig_secnum_depth: 0); after it has
(env-get-updated, later priority than its own handler), prefix every number with (3, 7).
sphinx-proof has no "Mathematical Intuition" type: the book writes those as `prf:remark`
(on the definitions' counter, see _config.yml) and here they are shown under their name.
"""
import sphinx_proof.domain
import sphinx_proof.nodes

SECTION = (3, 7)
RENAMED = {"Remark": "Mathematical Intuition"}


def prefix_numbers(app, env):
    for numbers in env.toc_fignumbers.values():
        for figtype in numbers.values():
            for ident, number in figtype.items():
                if number[: len(SECTION)] != SECTION:
                    figtype[ident] = SECTION + tuple(number)
    return []


def renaming(translate):
    return lambda message: RENAMED.get(message, translate(message))


def setup(app):
    sphinx_proof.nodes._ = renaming(sphinx_proof.nodes._)
    sphinx_proof.domain.translate = renaming(sphinx_proof.domain.translate)
    app.connect("env-get-updated", prefix_numbers, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
