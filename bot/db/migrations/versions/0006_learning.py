"""review labels and learning runs (python -m bot learn)

Revision ID: 0006
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('labelled_by', sa.String(length=120), nullable=False),
    sa.Column('labelled_at', sa.DateTime(), nullable=False),
    sa.Column('has_red_flag_words', sa.Boolean(), nullable=False),
    sa.Column('reviewed_red_flag', sa.Boolean(), nullable=False),
    sa.Column('used_in_training_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_labels_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_labels_used_in_training_at'), ['used_in_training_at'], unique=False)

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
    with op.batch_alter_table('review_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_labels_used_in_training_at'))
        batch_op.drop_index(batch_op.f('ix_review_labels_conversation_id'))
    op.drop_table('review_labels')
