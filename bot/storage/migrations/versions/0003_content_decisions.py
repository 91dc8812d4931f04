"""clinicians' sign-off of the answers' texts

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('decided_by', sa.String(length=120), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('content_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_decisions_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_decisions_decided_at'), ['decided_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_decisions_decided_at'))
        batch_op.drop_index(batch_op.f('ix_content_decisions_answer_id'))
    op.drop_table('content_decisions')
