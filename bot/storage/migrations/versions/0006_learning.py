"""learning runs, and the review check of red-flag texts (python -m bot learn)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The console's review queue (message_labels, revision 0005) is what `bot learn` reads: a text with
    # red-flag words is trained on only once a clinician confirmed it may be.
    with op.batch_alter_table('message_labels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_red_flag', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('learning_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('examples_added', sa.Integer(), nullable=False),
    sa.Column('figures_before', sa.JSON(), nullable=True),
    sa.Column('figures_after', sa.JSON(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('labels_used', sa.JSON(), nullable=True),
    sa.Column('labels_skipped', sa.JSON(), nullable=True),
    sa.Column('model_before', sa.String(length=64), nullable=False),
    sa.Column('model_after', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('learning_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_runs_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('learning_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_runs_started_at'))
    op.drop_table('learning_runs')
    with op.batch_alter_table('message_labels', schema=None) as batch_op:
        batch_op.drop_column('reviewed_red_flag')
